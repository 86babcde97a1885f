/**
 * The key commands' contract at the command line, on the first second of interview.mp4: keygen, inspect
 * without the key, and every bad input or attack the brief lists, each ending in one line, a non-zero
 * exit and no output file (or, with --allow-partial, an output and a count of what failed). The key and
 * the passphrase never appear in anything nullcam prints.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deriveFromPassphrase, keyFingerprint } from '../../src/keys/key-derivation.js';
import { parseKeyFile } from '../../src/keys/key-file.js';
import { recoveryPathFor } from '../../src/keys/recovery-header.js';
import { ffmpeg, media, tempDir } from '../fixtures/media.js';

const CLI = path.resolve(import.meta.dirname, '../../bin/nullcam.js');
const PASSPHRASE = 'purple elephant 42';
const printed: string[] = [];
function run(args: string[], env: NodeJS.ProcessEnv = {}) {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: 300_000, env: { ...process.env, ...env } });
  printed.push(r.stdout, r.stderr);
  return r;
}

const tmp = tempDir('nullcam-reveal-cli-');
const at = (name: string) => path.join(tmp.dir, name);
const clip = at('clip.mp4'), anon = at('anon.mp4'), key = at('team.key'), passVideo = at('pass.mp4');
let keyText: string;

beforeAll(() => {
  ffmpeg(['-i', media('interview.mp4'), '-t', '1', '-c', 'copy', clip]);
  const k = run(['keygen', '-o', key]);
  expect(k.status, k.stderr).toBe(0);
  keyText = readFileSync(key, 'utf8');
  const a = run(['anonymize', clip, '-o', anon, '--key-file', key, '--progress', 'none']);
  expect(a.status, a.stderr).toBe(0);
  // Another CRF, so its bytes differ from anon.mp4's (x264 is deterministic).
  const p = run(['anonymize', clip, '-o', passVideo, '--passphrase', '--crf', '30', '--progress', 'none'], { NULLCAM_PASSPHRASE: PASSPHRASE });
  expect(p.status, p.stderr).toBe(0);
}, 300_000);
afterAll(() => tmp.remove());

/** A copy of anon.mp4 and its recovery data under `name`, with `edit` applied to the recovery bytes. */
function copyWith(name: string, edit: (bytes: Buffer) => Buffer = (b) => b): string {
  copyFileSync(anon, at(name));
  writeFileSync(recoveryPathFor(at(name)), edit(readFileSync(recoveryPathFor(anon))));
  return at(name);
}

/** Byte offset of record `n` in a recovery file. */
function recordOffset(bytes: Buffer, n: number): number {
  let o = 12 + bytes.readUInt32BE(8);
  for (let k = 0; k < n; k++) o += 4 + bytes.readUInt32BE(o);
  return o;
}

const oneLine = (stderr: string) => stderr.trim().split('\n');

describe('keygen', () => {
  it('writes a 0600 key and never overwrites one', () => {
    expect(statSync(key).mode & 0o777).toBe(0o600);
    expect(parseKeyFile(keyText)?.kind).toBe('master');
    const again = run(['keygen', '-o', key]);
    expect(again.status).toBe(2);
    expect(oneLine(again.stderr)).toEqual([expect.stringMatching(/already exists; nullcam never overwrites a key file/)]);
    expect(readFileSync(key, 'utf8')).toBe(keyText);
  });

  it('--passphrase stores its scrypt parameters, so the passphrase re-derives the same key', async () => {
    const file = at('pass.key');
    expect(run(['keygen', '-o', file, '--passphrase'], { NULLCAM_PASSPHRASE: PASSPHRASE }).status).toBe(0);
    const k = parseKeyFile(readFileSync(file, 'utf8'));
    expect(k).toMatchObject({ kind: 'master', kdf: { name: 'scrypt', N: 2 ** 17, r: 8, p: 1 } });
    if (k?.kind !== 'master' || !k.kdf) throw new Error('no kdf');
    expect((await deriveFromPassphrase(PASSPHRASE, k.kdf)).equals(k.key)).toBe(true);
  });
});

describe('inspect (no key)', () => {
  it('lists tracks, frames, key fingerprint and cipher', () => {
    const text = run(['inspect', anon]);
    expect(text.status).toBe(0);
    expect(text.stdout).toContain(`fingerprint ${keyFingerprint(parseKeyFile(keyText)!.key)}`);
    expect(text.stdout).toMatch(/AES-256-GCM/);
    const inv = JSON.parse(run(['inspect', anon, '--json']).stdout);
    expect(inv).toMatchObject({ complete: true, cipher: 'AES-256-GCM', keySource: 'key file', video: { width: 640, height: 480 } });
    expect(inv.tracks.length).toBeGreaterThanOrEqual(1);
    expect(inv.framesWithRecords).toBeGreaterThan(20);
  });
});

describe('reveal refuses, in one line, with no output', () => {
  const refuses = (args: string[], message: RegExp | string, env?: NodeJS.ProcessEnv) => {
    const out = at(`refused-${Math.random().toString(36).slice(2)}.mkv`);
    const r = run(['reveal', ...args, '-o', out, '--progress', 'none'], env);
    expect(r.status).not.toBe(0);
    const lines = oneLine(r.stderr);
    expect(lines[lines.length - 1]).toMatch(message);
    expect(existsSync(out)).toBe(false);
    expect(readdirSync(tmp.dir).filter((f) => f.includes('.nullcam-'))).toEqual([]);
    return lines;
  };

  it('a wrong key: "key does not match this video"', () => {
    expect(run(['keygen', '-o', at('other.key')]).status).toBe(0);
    expect(refuses([anon, '--key-file', at('other.key')], 'nullcam: key does not match this video')).toHaveLength(1);
  });

  it('no recovery data', () => {
    expect(refuses([clip, '--key-file', key], /has no recovery data .*not found/)).toHaveLength(1);
  });

  it('a missing key file, or none given', () => {
    expect(refuses([anon, '--key-file', at('nope.key')], /Key file .*nope.key not found/)).toHaveLength(1);
    expect(refuses([anon], /needs the key: --key-file FILE .* or --passphrase/)).toHaveLength(1);
  });

  it('a flipped byte: the record is named, and nothing is restored', () => {
    const video = copyWith('flipped.mp4', (b) => {
      const o = recordOffset(b, 3);
      b[o + 100] ^= 0x40;
      return b;
    });
    const lines = refuses([video, '--key-file', key], /failed 1 check\(s\), listed above; nothing was restored\. --allow-partial/);
    expect(lines).toEqual([expect.stringMatching(/^nullcam: record 3 \(frame 3, track \d+\): authentication failed/), expect.any(String)]);
  });

  it('a truncated file', () => {
    const video = copyWith('cut.mp4', (b) => b.subarray(0, recordOffset(b, 10) + 50));
    const lines = refuses([video, '--key-file', key], /failed 2 check\(s\)/);
    expect(lines[0]).toMatch(/record 10: cut off/);
    expect(lines[1]).toMatch(/end marker is missing/);
    expect(JSON.parse(run(['inspect', video, '--json']).stdout)).toMatchObject({ complete: false, records: 10 });
  });

  it('recovery data moved next to another video', () => {
    // Same input, same frame times, and the key matches the recovery data: only the binding to the video file tells them apart.
    const second = at('second.mp4');
    copyFileSync(passVideo, second);
    copyFileSync(recoveryPathFor(anon), recoveryPathFor(second));
    refuses([second, '--key-file', key], /was written for another file than .*second.mp4 \(its SHA-256 differs\)/);
  });
});

describe('reveal with damage and --allow-partial', () => {
  it('restores the intact records and says how many failed', () => {
    const video = copyWith('partial.mp4', (b) => {
      for (const n of [5, 9]) b[recordOffset(b, n) + 80] ^= 1;
      return b;
    });
    const out = at('partial.mkv');
    const r = run(['reveal', video, '--key-file', key, '-o', out, '--allow-partial', '--progress', 'none']);
    expect(r.status, r.stderr).toBe(0);
    expect(existsSync(out)).toBe(true);
    expect(r.stderr).toMatch(/record 5 .*authentication failed/);
    expect(r.stderr).toMatch(/record 9 .*authentication failed/);
    expect(r.stderr).toMatch(/restored \d+ face regions .*; 2 check\(s\) failed and those records were skipped/);
  });
});

describe('key file permissions', () => {
  it('a key other users can read still works, with a warning', () => {
    copyFileSync(key, at('loose.key'));
    chmodSync(at('loose.key'), 0o644);
    const r = run(['reveal', anon, '--key-file', at('loose.key'), '-o', at('loose.mkv'), '--progress', 'none']);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/warning: key file .*loose.key can be read by other users \(mode 644\); run: chmod 600/);
  });
});

describe('passphrase', () => {
  const video = passVideo;

  it('the same passphrase reveals; scrypt parameters are stored with the output', () => {
    expect(JSON.parse(run(['inspect', video, '--json']).stdout).keySource).toBe('passphrase (scrypt N=131072 r=8 p=1)');
    const r = run(['reveal', video, '--passphrase', '-o', at('pass.mkv'), '--progress', 'none'], { NULLCAM_PASSPHRASE: PASSPHRASE });
    expect(r.status, r.stderr).toBe(0);
  });

  it('another passphrase, or a key file, does not', () => {
    for (const [args, env, message] of [
      [['--passphrase'], { NULLCAM_PASSPHRASE: 'purple elephant 43' }, 'nullcam: passphrase does not match this video'],
      [['--key-file', key], {}, 'nullcam: key does not match this video'],
    ] as const) {
      const out = at('pass-wrong.mkv');
      const r = run(['reveal', video, ...args, '-o', out], env);
      expect(r.status).toBe(1);
      expect(oneLine(r.stderr)).toEqual([message]);
      expect(existsSync(out)).toBe(false);
    }
  });
});

describe('anonymize --key-file writes both files or neither', () => {
  it('an existing recovery file is refused before any work, and nothing is left behind', () => {
    const video = copyWith('taken.mp4');
    const before = readFileSync(recoveryPathFor(video));
    const out = at('fresh.mp4');
    writeFileSync(recoveryPathFor(out), before);
    const r = run(['anonymize', clip, '-o', out, '--key-file', key, '--progress', 'none']);
    expect(r.status).toBe(2);
    expect(oneLine(r.stderr)).toEqual([expect.stringMatching(/fresh.mp4.nullrec already exists/)]);
    expect(existsSync(out)).toBe(false);
    expect(readFileSync(recoveryPathFor(out)).equals(before)).toBe(true);
    expect(readdirSync(tmp.dir).filter((f) => f.includes('.nullcam-'))).toEqual([]);
  });

  it('an existing video is refused and the new recovery file is removed', () => {
    const out = at('only-video.mp4');
    copyFileSync(anon, out);
    const r = run(['anonymize', clip, '-o', out, '--key-file', key, '--progress', 'none']);
    expect(r.status).toBe(2);
    expect(existsSync(recoveryPathFor(out))).toBe(false);
    expect(readdirSync(tmp.dir).filter((f) => f.includes('.nullcam-'))).toEqual([]);
  });

  it('a per-track key cannot protect a new video', () => {
    const track = String(JSON.parse(run(['inspect', anon, '--json']).stdout).tracks[0].id);
    expect(run(['keys', 'export', anon, '--track', track, '--key-file', key, '-o', at('track.key')]).status).toBe(0);
    const r = run(['anonymize', clip, '-o', at('never.mp4'), '--key-file', at('track.key')]);
    expect(r.status).toBe(2);
    expect(oneLine(r.stderr)).toEqual([expect.stringMatching(/is a per-track key; protecting a new video needs a master key/)]);
  });
});

describe('help', () => {
  it('names the key commands and explains each', () => {
    const main = run(['--help']).stdout;
    for (const c of ['keygen', 'reveal', 'keys export', 'inspect']) expect(main).toContain(`nullcam ${c}`);
    expect(run(['help', 'reveal']).stdout).toMatch(/--allow-partial/);
  });
});

describe('anonymize --overwrite without a key', () => {
  it('removes the replaced video\'s recovery data, which would no longer fit', () => {
    const video = copyWith('replaced.mp4');
    const r = run(['anonymize', clip, '-o', video, '--overwrite', '--progress', 'none']);
    expect(r.status, r.stderr).toBe(0);
    expect(existsSync(recoveryPathFor(video))).toBe(false);
  });
});

describe('secrets', () => {
  it('neither the key nor the passphrase appears in anything nullcam printed', () => {
    const k = parseKeyFile(keyText)!.key;
    const all = printed.join('\n');
    expect(all.length).toBeGreaterThan(100);
    for (const secret of [k.toString('base64'), k.toString('hex'), k.toString('base64').slice(0, 16), PASSPHRASE]) expect(all).not.toContain(secret);
  });
});
