/** Key derivation (HKDF per video and track, scrypt) and key files (0600, never overwritten, never quoted). */
import { randomBytes } from 'node:crypto';
import { chmodSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { deriveFromPassphrase, indexKey, isScryptParams, keyFingerprint, newScryptParams, trackKey } from '../../src/keys/key-derivation.js';
import { parseKeyFile, readKeyFile, writeKeyFile } from '../../src/keys/key-file.js';
import { tempDir } from '../fixtures/media.js';

const tmp = tempDir('nullcam-keys-');
afterAll(() => tmp.remove());
/** Cheap scrypt for tests (the default, 2^17, is what users get). */
const CHEAP = { N: 2 ** 10, r: 8, p: 1 };

describe('key derivation', () => {
  const master = randomBytes(32), videoA = randomBytes(32), videoB = randomBytes(32);

  it('gives every (video, track) its own key, deterministically', () => {
    const keys = [trackKey(master, videoA, 1), trackKey(master, videoA, 2), trackKey(master, videoB, 1), indexKey(master, videoA)].map((k) => k.toString('hex'));
    expect(new Set(keys).size).toBe(4);
    expect(trackKey(master, videoA, 1).equals(trackKey(Buffer.from(master), Buffer.from(videoA), 1))).toBe(true);
    expect(trackKey(master, videoA, 1)).toHaveLength(32);
  });

  it('fingerprints name a key without being it', () => {
    const fp = keyFingerprint(master);
    expect(fp).toMatch(/^[0-9a-f]{16}$/);
    expect(master.toString('hex')).not.toContain(fp);
    expect(keyFingerprint(randomBytes(32))).not.toBe(fp);
  });

  it('scrypt: same passphrase and salt → same key; another salt or passphrase → another key', async () => {
    const p1 = newScryptParams(CHEAP), p2 = newScryptParams(CHEAP);
    expect(p1.salt).not.toBe(p2.salt);
    const a = await deriveFromPassphrase('correct horse', p1);
    expect((await deriveFromPassphrase('correct horse', p1)).equals(a)).toBe(true);
    expect((await deriveFromPassphrase('correct horse', p2)).equals(a)).toBe(false);
    expect((await deriveFromPassphrase('correct hors', p1)).equals(a)).toBe(false);
  });

  it('refuses scrypt parameters that would cost unbounded memory', async () => {
    expect(isScryptParams({ ...newScryptParams(), N: 2 ** 30 })).toBe(false);
    expect(isScryptParams({ ...newScryptParams(), N: 1000 })).toBe(false);
    expect(isScryptParams(newScryptParams())).toBe(true);
    await expect(deriveFromPassphrase('x', { ...newScryptParams(), r: 1000 })).rejects.toThrow(/invalid/);
  });
});

describe('key files', () => {
  it('are written 0600, read back, and never overwritten', async () => {
    const file = path.join(tmp.dir, 'team.key');
    const key = randomBytes(32);
    await writeKeyFile(file, { kind: 'master', key });
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const warnings: string[] = [];
    expect(await readKeyFile(file, (m) => warnings.push(m))).toEqual({ kind: 'master', key });
    expect(warnings).toEqual([]);
    await expect(writeKeyFile(file, { kind: 'master', key: randomBytes(32) })).rejects.toThrow(/already exists/);
    expect((await readKeyFile(file, () => {})).key.equals(key)).toBe(true);
  });

  it('warn when other users can read them', async () => {
    const file = path.join(tmp.dir, 'open.key');
    await writeKeyFile(file, { kind: 'master', key: randomBytes(32) });
    chmodSync(file, 0o644);
    const warnings: string[] = [];
    await readKeyFile(file, (m) => warnings.push(m));
    expect(warnings).toEqual([expect.stringMatching(/can be read by other users \(mode 644\); run: chmod 600/)]);
  });

  it('per-track keys keep their video and track', async () => {
    const file = path.join(tmp.dir, 'track.key');
    const key = randomBytes(32);
    await writeKeyFile(file, { kind: 'track', key, videoId: 'ab'.repeat(16), track: 3 });
    expect(await readKeyFile(file, () => {})).toEqual({ kind: 'track', key, videoId: 'ab'.repeat(16), track: 3 });
  });

  it('bad key files: one line that never quotes the contents', async () => {
    const secret = randomBytes(32).toString('base64');
    const file = path.join(tmp.dir, 'bad.key');
    writeFileSync(file, `{"nullcam":"key","version":1,"kind":"master","key":"${secret.slice(0, 20)}"`, { mode: 0o600 });
    const error = await readKeyFile(file, () => {}).catch((e: Error) => e);
    expect((error as Error).message).toMatch(/is not a nullcam key file/);
    expect((error as Error).message).not.toContain(secret.slice(0, 8));
    expect((error as Error & { cause?: unknown }).cause).toBeUndefined();
    await expect(readKeyFile(path.join(tmp.dir, 'missing.key'), () => {})).rejects.toThrow(/not found; check the path, or create one with: nullcam keygen/);
    await expect(readKeyFile(tmp.dir, () => {})).rejects.toThrow(/is not a file/);
    expect(parseKeyFile('{"nullcam":"key","version":1,"kind":"master","key":"AAAA"}')).toBeUndefined();
  });

  it.skipIf(process.getuid?.() === 0)('unreadable key file: one line', async () => {
    const file = path.join(tmp.dir, 'locked.key');
    await writeKeyFile(file, { kind: 'master', key: randomBytes(32) });
    chmodSync(file, 0o000);
    await expect(readKeyFile(file, () => {})).rejects.toThrow(/permission denied/);
  });
});
