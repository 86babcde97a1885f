/** The command line as a user meets it: bad input gives one line, a non-zero exit and no output file. */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { media, tempDir } from '../fixtures/media.js';

const CLI = path.resolve(import.meta.dirname, '../../bin/nullcam.js');
const tmp = tempDir('nullcam-cli-');
afterAll(() => tmp.remove());
const run = (...args: string[]) => spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: 120_000 });
const at = (name: string) => path.join(tmp.dir, name);

describe('nullcam anonymize with bad input', () => {
  writeFileSync(at('empty.mp4'), '');
  writeFileSync(at('notes.mp4'), 'this is not a video\n'.repeat(50));
  execFileSync('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', 'sine=frequency=440:duration=1', '-c:a', 'aac', at('tone.m4a')]);

  it.each([
    ['missing file', at('nope.mp4'), /Input not found: .*nope\.mp4/],
    ['empty file', at('empty.mp4'), /empty \(0 bytes\)/],
    ['not a video', at('notes.mp4'), /not a video|cannot read|could not|invalid/i],
    ['no video stream', at('tone.m4a'), /has no video stream/],
  ])('%s: one line, exit 1, no output', (_name, input, message) => {
    const out = at(`out-${path.basename(input)}.mp4`);
    const r = run('anonymize', input, '-o', out, '--progress', 'none');
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(message);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(existsSync(out)).toBe(false);
  });

  it('unwritable output: one line, no file', () => {
    const out = at('no-such-dir/out.mp4');
    const r = run('anonymize', media('interview.mp4'), '-o', out, '--progress', 'none');
    expect(r.status).not.toBe(0);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(existsSync(out)).toBe(false);
  });

  it('refuses to replace an existing output without --overwrite and leaves it intact', () => {
    const out = at('keep.mp4');
    writeFileSync(out, 'precious');
    const r = run('anonymize', media('interview.mp4'), '-o', out, '--progress', 'none');
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/--overwrite/);
    expect(readFileSync(out, 'utf8')).toBe('precious');
  });

  it('bad settings exit 2 with the key named', () => {
    const r = run('anonymize', media('interview.mp4'), '-o', at('x.mp4'), '--set', 'detect.stride=0');
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/detect\.stride/);
  });

  it('SIGINT stops, removes the temp output and exits 130', async () => {
    const out = at('interrupted.mp4');
    const child = spawn(process.execPath, [CLI, 'anonymize', media('Megamind.avi'), '-o', out, '--progress', 'json']);
    let stdout = '';
    child.stdout.on('data', (d) => (stdout += d));
    // Wait for the first progress event: the encoder is running and its temp file exists.
    await new Promise<void>((resolve) => child.stdout.on('data', () => stdout.includes('"progress"') && resolve()));
    child.kill('SIGINT');
    const code = await new Promise((resolve) => child.on('exit', resolve));
    expect(code).toBe(130);
    expect(existsSync(out)).toBe(false);
    expect(readdirSync(tmp.dir).filter((f) => f.startsWith('.interrupted'))).toEqual([]);
  }, 120_000);
});

describe('help, config and doctor', () => {
  it('--help teaches the commands and anonymize --help shows defaults', () => {
    expect(run('--help').stdout).toMatch(/nullcam anonymize INPUT -o OUTPUT/);
    const help = run('anonymize', '--help').stdout;
    expect(help).toMatch(/--tracks-json FILE/);
    expect(help).toMatch(/detect\.stride\s+2/);
  });
  it('config prints config/default.jsonc', () => {
    expect(run('config').stdout).toBe(readFileSync(path.resolve(import.meta.dirname, '../../config/default.jsonc'), 'utf8'));
  });
  it('doctor names ffmpeg, the execution provider and the models', () => {
    const r = run('doctor', '--json');
    expect(r.status).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report.ffmpeg.path).toMatch(/ffmpeg/);
    expect(report.ffmpeg.liveInputs.supported).toEqual(expect.arrayContaining(['rtsp', 'http', 'udp']));
    expect(report.executionProvider.device).toBe('cpu');
    expect(report.models.map((m: { name: string }) => m.name)).toContain('blazeface');
  });
  it('unknown commands and options exit 2', () => {
    expect(run('frobnicate').status).toBe(2);
    expect(run('anonymize', 'x.mp4', '-o', 'y.mp4', '--nope').status).toBe(2);
  });
});

describe('privacy zones (anonymize.zones)', () => {
  /** Luma of every frame of a 640×480 video. */
  const luma = (file: string): Buffer[] => {
    const raw = execFileSync('ffmpeg', ['-v', 'error', '-i', file, '-f', 'rawvideo', '-pix_fmt', 'gray', '-'], { maxBuffer: 1 << 30 });
    return Array.from({ length: raw.length / (640 * 480) }, (_, i) => raw.subarray(i * 640 * 480, (i + 1) * 640 * 480));
  };

  it('are black in every frame, and the rest of the picture is what it is without them', () => {
    const [plain, zoned] = [at('plain.mp4'), at('zoned.mp4')];
    expect(run('anonymize', media('interview.mp4'), '-o', plain, '--progress', 'none').status).toBe(0);
    // The top-left quarter: columns 0–159, rows 0–119.
    expect(run('anonymize', media('interview.mp4'), '-o', zoned, '--progress', 'none', '--set', 'anonymize.zones=0,0,0.25,0.25').status).toBe(0);
    const [a, b] = [luma(plain), luma(zoned)];
    expect(b.length).toBe(a.length);
    let inZone = 0, zoneMax = 0, farDiff = 0, far = 0;
    for (let f = 0; f < b.length; f++) {
      for (let y = 0; y < 480; y++) {
        for (let x = 0; x < 640; x++) {
          const i = y * 640 + x;
          // A margin of 16 px around the zone's edge (codec blocks smear across it).
          if (x < 144 && y < 104) (inZone++, (zoneMax = Math.max(zoneMax, b[f][i])));
          else if (x >= 176 || y >= 136) (far++, (farDiff += Math.abs(a[f][i] - b[f][i])));
        }
      }
    }
    expect(inZone).toBeGreaterThan(0);
    expect(zoneMax).toBeLessThan(24); // black is 16 in limited range
    // Only encoder noise: the zone changes what x264's rate control spends elsewhere (measured 1.1 of 255).
    expect(farDiff / far).toBeLessThan(2);
  }, 120_000);
});
