import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readSecretKeyFile } from '../../src/pipeline/secret-key-file.js';
import { tempDir } from '../fixtures/media.js';

const tmp = tempDir('nullcam-key-');
afterAll(() => tmp.remove());
const at = (name: string) => path.join(tmp.dir, name);

describe('readSecretKeyFile', () => {
  const key = Buffer.from(Array.from({ length: 32 }, (_, i) => i * 7));

  it('reads 32 raw bytes', async () => {
    writeFileSync(at('raw.key'), key);
    expect(Buffer.from(await readSecretKeyFile(at('raw.key')))).toEqual(key);
  });

  it('reads the key of a nullcam JSON key file', async () => {
    writeFileSync(at('master.json'), JSON.stringify({ nullcam: 'key', version: 1, kind: 'master', key: key.toString('base64'), fingerprint: 'x' }));
    expect(Buffer.from(await readSecretKeyFile(at('master.json')))).toEqual(key);
  });

  it.each([
    ['short.key', Buffer.alloc(16), /neither 32 raw bytes \(it holds 16\)/],
    ['other.json', Buffer.from('{"nullcam":"key","key":"c2hvcnQ="}'), /nor a nullcam key file/],
  ])('rejects %s in one line without quoting it', async (name, data, message) => {
    writeFileSync(at(name), data);
    const err = await readSecretKeyFile(at(name)).catch((e: Error) => e);
    expect((err as Error).message).toMatch(message);
    expect((err as Error).message).not.toContain('c2hvcnQ');
  });

  it('a missing file says so', async () => {
    await expect(readSecretKeyFile(at('nope'))).rejects.toThrow(/Cannot read the key file .*nope \(ENOENT\)/);
  });
});
