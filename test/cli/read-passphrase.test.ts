import { execFileSync } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { readPassphrase } from '../../src/cli/read-passphrase.js';

afterEach(() => {
  delete process.env.NULLCAM_PASSPHRASE;
});

describe('readPassphrase from $NULLCAM_PASSPHRASE', () => {
  it('removes the variable once read, so child processes (ffmpeg) never inherit it', async () => {
    process.env.NULLCAM_PASSPHRASE = 'correct horse';
    expect(await readPassphrase(process.env)).toBe('correct horse');
    expect(process.env.NULLCAM_PASSPHRASE).toBeUndefined();
    // What a child spawned afterwards sees (spawn without `env` inherits process.env).
    const seen = execFileSync(process.execPath, ['-e', 'process.stdout.write(String(process.env.NULLCAM_PASSPHRASE))'], { encoding: 'utf8' });
    expect(seen).toBe('undefined');
  });

  it('still refuses an empty passphrase', async () => {
    const env: NodeJS.ProcessEnv = { NULLCAM_PASSPHRASE: '' };
    await expect(readPassphrase(env)).rejects.toThrow(/^Empty passphrase; /);
    expect(env.NULLCAM_PASSPHRASE).toBeUndefined();
  });
});
