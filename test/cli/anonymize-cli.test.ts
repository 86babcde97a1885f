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
