/**
 * `nullcam watch` as a process, with the real pipeline: segments appear over time, one is still being
 * written, the watcher is killed (SIGKILL) mid-work and restarted; every finished segment ends up
 * anonymized exactly once, the temp output of the interrupted one is gone, and the originals are deleted
 * only after their outputs are in place.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ffmpeg, ffprobeFrames, media, tempDir, waitFor } from '../fixtures/media.js';

const CLI = path.resolve(import.meta.dirname, '../../bin/nullcam.js');

interface Watcher {
  readonly child: ChildProcess;
  readonly events: Array<{ event: string; segment?: string }>;
  readonly exit: Promise<number | null>;
}

function startWatcher(inDir: string, outDir: string, ...extra: string[]): Watcher {
  const child = spawn(process.execPath, [CLI, 'watch', inDir, '--out', outDir, '--settle', '2', '--poll', '0.25', '--json', ...extra], { stdio: ['ignore', 'pipe', 'pipe'] });
  const events: Watcher['events'] = [];
  let buffered = '';
  child.stdout!.on('data', (d: Buffer) => {
    const lines = (buffered + d.toString()).split('\n');
    buffered = lines.pop()!;
    for (const line of lines) events.push(JSON.parse(line));
  });
  child.stderr!.resume();
  return { child, events, exit: new Promise((resolve) => child.on('exit', (code) => resolve(code))) };
}

describe('nullcam watch', () => {
  const tmp = tempDir('nullcam-watch-');
  afterAll(() => tmp.remove());

  it('anonymizes every finished segment exactly once across a kill and a restart', async () => {
    const clips = path.join(tmp.dir, 'clips');
    const inDir = path.join(tmp.dir, 'recorder');
    const outDir = path.join(tmp.dir, 'anonymized');
    mkdirSync(clips);
    mkdirSync(path.join(inDir, 'cam'), { recursive: true });
    for (const i of [0, 1, 2]) {
      ffmpeg(['-ss', String(i * 2), '-i', media('interview.mp4'), '-t', '1', '-vf', 'scale=320:240', '-c:v', 'libx264', '-preset', 'ultrafast', '-c:a', 'aac', path.join(clips, `seg${i}.mp4`)]);
    }
    copyFileSync(path.join(clips, 'seg0.mp4'), path.join(inDir, 'cam/seg0.mp4'));
    copyFileSync(path.join(clips, 'seg1.mp4'), path.join(inDir, 'cam/seg1.mp4'));

    // The recorder is still writing seg2: a slice every 250 ms (far inside the 2 s settle period), ~10 s in all.
    const seg2 = readFileSync(path.join(clips, 'seg2.mp4'));
    const slice = Math.ceil(seg2.length / 40);
    let written = 0;
    writeFileSync(path.join(inDir, 'cam/seg2.mp4'), '');
    const recorder = setInterval(() => {
      appendFileSync(path.join(inDir, 'cam/seg2.mp4'), seg2.subarray(written, written + slice));
      written += slice;
      if (written >= seg2.length) clearInterval(recorder);
    }, 250);

    // Run 1: killed without warning right after its first segment, while the next one is in progress.
    const first = startWatcher(inDir, outDir);
    expect(await waitFor(() => first.events.some((e) => e.event === 'done'), 60_000)).toBe(true);
    first.child.kill('SIGKILL');
    await first.exit;
    expect(first.events.map((e) => e.segment)).toEqual(['cam/seg0.mp4']); // seg1 was in progress
    writeFileSync(path.join(inDir, 'cam/broken.mp4'), 'not a video at all');

    // Run 2, deleting originals once done.
    const second = startWatcher(inDir, outDir, '--delete-originals-after');
    const finished = (): Set<string> => new Set([...first.events, ...second.events].filter((e) => e.event === 'done' || e.event === 'adopted').map((e) => e.segment!));
    expect(await waitFor(() => finished().size === 3 && second.events.some((e) => e.event === 'failed'), 90_000)).toBe(true);
    await waitFor(() => readdirSync(path.join(inDir, 'cam')).length === 1, 5000);
    second.child.kill('SIGTERM');
    expect(await second.exit).toBe(0);
    clearInterval(recorder);

    const all = [...first.events, ...second.events];
    for (const segment of ['cam/seg0.mp4', 'cam/seg1.mp4', 'cam/seg2.mp4']) {
      expect(all.filter((e) => (e.event === 'done' || e.event === 'adopted') && e.segment === segment), segment).toHaveLength(1);
      // Complete and decodable: every frame of the finished segment.
      expect(ffprobeFrames(path.join(outDir, segment)).pts).toHaveLength(25);
    }
    expect(written).toBeGreaterThanOrEqual(seg2.length); // seg2 was taken only once the recorder was done
    expect(all.filter((e) => e.event === 'failed')).toMatchObject([{ segment: 'cam/broken.mp4' }]);
    expect(readdirSync(path.join(outDir, 'cam')).sort()).toEqual(['seg0.mp4', 'seg1.mp4', 'seg2.mp4']); // no temp files
    expect(readdirSync(path.join(inDir, 'cam'))).toEqual(['broken.mp4']); // originals deleted, the failed one kept
    const state = JSON.parse(readFileSync(path.join(outDir, '.nullcam-watch.json'), 'utf8'));
    expect(state.segments['cam/broken.mp4']).toMatchObject({ status: 'failed', reason: expect.stringMatching(/not a video/) });
    expect(statSync(path.join(outDir, 'cam/seg2.mp4')).size).toBeGreaterThan(0);
    expect(existsSync(path.join(outDir, 'cam/broken.mp4'))).toBe(false);
  }, 180_000);
});
