import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { containerFor, reserveTempOutput } from '../../src/egress/output-file.js';
import { NullcamError } from '../../src/errors.js';
import { tempDir } from '../fixtures/media.js';

const tmp = tempDir();
afterAll(() => tmp.remove());

describe('containerFor', () => {
  it.each([
    ['a.mp4', 'mp4'],
    ['a.M4V', 'mp4'],
    ['dir.x/a.mov', 'mov'],
    ['a.mkv', 'matroska'],
  ])('%s → %s', (file, container) => expect(containerFor(file)).toBe(container));

  it('rejects other extensions', () => {
    expect(() => containerFor('/o/a.avi')).toThrow(NullcamError);
    expect(() => containerFor('/o/a.avi')).toThrow('Cannot write /o/a.avi: unsupported extension ".avi"; use .mp4, .m4v, .mov, .mkv.');
    expect(() => containerFor('/o/a')).toThrow('unsupported extension "(none)"');
  });
});

describe('reserveTempOutput', () => {
  it('creates a hidden temp file with the same extension next to the output, and renames it on commit', async () => {
    const output = path.join(tmp.dir, 'clip.anon.mp4');
    const temp = await reserveTempOutput(output);
    expect(path.dirname(temp.path)).toBe(tmp.dir);
    expect(path.basename(temp.path)).toMatch(/^\.clip\.anon\.nullcam-[0-9a-f]{8}\.mp4$/);
    expect(existsSync(temp.path)).toBe(true);
    writeFileSync(temp.path, 'video');
    await temp.commit();
    expect(readFileSync(output, 'utf8')).toBe('video');
    expect(existsSync(temp.path)).toBe(false);
  });

  it('discard removes the temp file and nothing else', async () => {
    const dir = path.join(tmp.dir, 'discard');
    mkdirSync(dir);
    const temp = await reserveTempOutput(path.join(dir, 'x.mkv'));
    await temp.discard();
    await temp.discard();
    expect(readdirSync(dir)).toEqual([]);
  });

  it('refuses an existing output unless overwriting', async () => {
    const output = path.join(tmp.dir, 'exists.mp4');
    writeFileSync(output, 'old');
    await expect(reserveTempOutput(output)).rejects.toThrow(`Output ${output} already exists; choose another name, or allow overwriting (--overwrite).`);
    const temp = await reserveTempOutput(output, true);
    writeFileSync(temp.path, 'new');
    await temp.commit();
    expect(readFileSync(output, 'utf8')).toBe('new');
  });

  it('never replaces an output that appeared while encoding (without overwrite)', async () => {
    const output = path.join(tmp.dir, 'race.mp4');
    const temp = await reserveTempOutput(output);
    writeFileSync(output, 'someone else');
    await expect(temp.commit()).rejects.toThrow(`Output ${output} appeared while encoding; kept it untouched and discarded the new video.`);
    expect(readFileSync(output, 'utf8')).toBe('someone else');
    expect(existsSync(temp.path)).toBe(false);
  });

  it('missing directory, or a file where the directory should be', async () => {
    const missing = path.join(tmp.dir, 'no-such-dir');
    await expect(reserveTempOutput(path.join(missing, 'a.mp4'))).rejects.toThrow(`Output directory ${missing} does not exist; create it first.`);
    const file = path.join(tmp.dir, 'plain-file');
    writeFileSync(file, '');
    await expect(reserveTempOutput(path.join(file, 'a.mp4'))).rejects.toThrow(`Output directory ${file} is not a directory; fix the output path.`);
  });

  it.skipIf(process.getuid?.() === 0)('unwritable directory (root writes everywhere)', async () => {
    const locked = path.join(tmp.dir, 'locked');
    mkdirSync(locked);
    chmodSync(locked, 0o555);
    await expect(reserveTempOutput(path.join(locked, 'a.mp4'))).rejects.toThrow(`Cannot write to ${locked} (EACCES); choose a writable output directory.`);
  });
});
