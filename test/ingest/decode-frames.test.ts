import { lastValueFrom, take, toArray } from 'rxjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Frame, PixelFormat } from '../../src/frame.js';
import { decodeFrames, type DecodeOptions } from '../../src/ingest/decode-frames.js';
import { locateFfmpeg, type FfmpegBinary } from '../../src/ingest/ffmpeg-binary.js';
import { FfmpegError } from '../../src/ingest/ffmpeg-error.js';
import { openInput, type ProbedInput } from '../../src/ingest/open-input.js';
import { Credit } from '../../src/pipeline/credit.js';
import {
  cpuTicks, fakeFfmpeg, ffprobeFrames, isRunning, knownFrames, makeDamagedClip, makeLosslessClip, makeRotatedClip, makeVfrClip, media, tempDir, waitFor,
} from '../fixtures/media.js';

const tmp = tempDir();
let system: FfmpegBinary;
let npm: FfmpegBinary;

beforeAll(async () => {
  system = await locateFfmpeg({ searchPath: '/usr/bin' });
  npm = await locateFfmpeg({ searchPath: '' });
});
afterAll(() => tmp.remove());

/**
 * ffprobe gives Megamind.avi's last frame no timestamp (it is flushed out of the packed-B-frame delay);
 * ffmpeg's CLI puts it one frame after the previous one. Every other frame must match exactly.
 */
function expectMegamindTimes(frames: Frame[], probed: number[]): void {
  expect(probed).toHaveLength(270);
  expect(probed[269]).toBeUndefined();
  expect(frames.slice(0, 269).map((f) => f.pts)).toEqual(probed.slice(0, 269));
  expect(frames[269].pts).toBe(frames[268].pts + 1);
}

const decodeAll = async (input: ProbedInput, options: DecodeOptions): Promise<Frame[]> => lastValueFrom(decodeFrames(input, options).pipe(toArray()));

describe('decodeFrames: exact content', () => {
  it.each<[PixelFormat, number, number]>([
    ['yuv420p', 33, 17],
    ['yuv420p', 16, 16],
    ['rgb24', 33, 17],
  ])('gives back known %s %dx%d frames byte for byte (odd sizes too)', async (format, width, height) => {
    const frames = knownFrames(format, width, height, 6);
    const clip = makeLosslessClip(tmp.dir, `known-${format}-${width}x${height}`, format, width, height, frames);
    const input = await openInput(clip, { binary: system });
    const decoded = await decodeAll(input, { binary: system, format });
    expect(decoded).toHaveLength(6);
    decoded.forEach((frame, i) => {
      expect(frame).toMatchObject({ index: i, width, height, format, source: clip });
      expect(frame.data.equals(frames[i])).toBe(true);
    });
    // FFV1 in Matroska at 10 fps: 100 ms apart in the 1/1000 Matroska time base.
    expect(decoded.map((f) => f.pts)).toEqual([0, 100, 200, 300, 400, 500]);
    expect(decoded[0].timeBase).toEqual({ num: 1, den: 1000 });
  });
});

describe('decodeFrames: frame count and timestamps match ffprobe', () => {
  it('interview.mp4: 200 frames at 25 fps, every pts equal', async () => {
    const input = await openInput(media('interview.mp4'), { binary: system });
    const frames = await decodeAll(input, { binary: system });
    const probe = ffprobeFrames(media('interview.mp4'));
    expect(frames).toHaveLength(200);
    expect(frames.map((f) => f.pts)).toEqual(probe.pts);
    expect(frames.map((f) => f.pts)).toEqual([...Array(200).keys()].map((i) => i * 512)); // 1/25 s = 512/12800
    expect(frames[0].timeBase).toEqual({ num: 1, den: 12800 });
    expect(frames.map((f) => f.index)).toEqual([...Array(200).keys()]);
  });

  it('Megamind.avi: 270 frames, every pts equal', async () => {
    const input = await openInput(media('Megamind.avi'), { binary: system });
    const frames = await decodeAll(input, { binary: system });
    const probe = ffprobeFrames(media('Megamind.avi'));
    expect(frames).toHaveLength(270);
    expect(frames[0].timeBase).toEqual({ num: 125, den: 2997 });
    expectMegamindTimes(frames, probe.pts);
  });
  it('a VFR clip keeps its uneven spacing', async () => {
    const clip = makeVfrClip(tmp.dir);
    const input = await openInput(clip, { binary: system });
    const frames = await decodeAll(input, { binary: system });
    const probe = ffprobeFrames(clip);
    expect(frames.map((f) => f.pts)).toEqual(probe.pts);
    const gaps = new Set(frames.slice(1).map((f, i) => f.pts - frames[i].pts));
    expect(gaps.size).toBeGreaterThan(1);
  });

  it('a clip with display rotation decodes upright: frames and probe agree on the turned size', async () => {
    const input = await openInput(makeRotatedClip(tmp.dir), { binary: system });
    expect(input.info.video).toMatchObject({ width: 480, height: 640, rotation: 90 });
    const frames = await decodeAll(input, { binary: system });
    expect(frames.length).toBeGreaterThan(0);
    expect(frames.every((f) => f.width === 480 && f.height === 640 && f.data.length === 480 * 640 * 1.5)).toBe(true);
  });

  it('the 2018 npm ffmpeg (-vsync, ffmpeg -i probe) decodes the same frames and times', async () => {
    const input = await openInput(media('Megamind.avi'), { binary: npm });
    const frames = await decodeAll(input, { binary: npm });
    expect(frames).toHaveLength(270);
    expect(frames[0].timeBase).toEqual({ num: 125, den: 2997 }); // exact, from showinfo, although the dump said "23.98 tbn"
    expectMegamindTimes(frames, ffprobeFrames(media('Megamind.avi')).pts);
  });
});

describe('decodeFrames: damaged input', () => {
  it('Megamind_bugy.avi decodes all 270 frames without an error', async () => {
    const input = await openInput(media('Megamind_bugy.avi'), { binary: system });
    let warnings = 0;
    const frames = await decodeAll(input, { binary: system, onWarning: (_m, n) => (warnings += n) });
    expect(frames).toHaveLength(270);
    // ffmpeg 5.1 decodes this clip (packed B-frames, wrong frame rate in the header) without complaint.
    expect(warnings).toBe(0);
  });

  it('a clip with garbage in the bitstream decodes best effort and counts the warnings', async () => {
    const input = await openInput(makeDamagedClip(tmp.dir), { binary: system });
    const messages: string[] = [];
    let warnings = 0;
    const frames = await decodeAll(input, { binary: system, onWarning: (m, n) => (messages.push(m), (warnings += n)) });
    expect(warnings).toBeGreaterThan(10);
    expect(messages.some((m) => /damaged|illegal|Error at MB|corrupt/.test(m))).toBe(true);
    expect(frames.length).toBeGreaterThan(240);
    expect(frames.length).toBeLessThanOrEqual(270);
  });
});

describe('decodeFrames: backpressure and teardown', () => {
  it('stops reading ffmpeg when no credit comes back: bounded frames, ffmpeg blocked, memory flat', async () => {
    const input = await openInput(media('Megamind.avi'), { binary: system });
    const credit = new Credit(2);
    let pid = 0;
    let emitted = 0;
    const subscription = decodeFrames(input, { binary: system, credit, onSpawn: (p) => (pid = p.pid!) }).subscribe(() => emitted++);
    try {
      expect(await waitFor(() => emitted === 2, 5000)).toBe(true);
      await new Promise((r) => setTimeout(r, 700)); // let ffmpeg fill the pipe and block
      const rss = process.memoryUsage().rss;
      const ticks = cpuTicks(pid);
      await new Promise((r) => setTimeout(r, 700));
      expect(emitted).toBe(2);
      expect(isRunning(pid)).toBe(true);
      expect(cpuTicks(pid) - ticks).toBeLessThanOrEqual(2); // blocked on write(): ≤ 20 ms of CPU in 700 ms
      // The whole clip is 154 MB of raw frames; a non-blocking reader would have buffered most of it.
      expect(process.memoryUsage().rss - rss).toBeLessThan(20 << 20);
      expect(credit.inFlight).toBe(2);
    } finally {
      subscription.unsubscribe();
    }
    expect(await waitFor(() => !isRunning(pid), 3000)).toBe(true);
  });

  it('delivers every frame still buffered when ffmpeg has already exited', async () => {
    // 16x16 frames are tiny: ffmpeg writes all of them into the pipe and exits long before they are taken.
    const clip = makeLosslessClip(tmp.dir, 'tiny', 'yuv420p', 16, 16, knownFrames('yuv420p', 16, 16, 30));
    const input = await openInput(clip, { binary: system });
    const credit = new Credit(1);
    let pid = 0;
    const frames: Frame[] = [];
    await new Promise<void>((resolve, reject) =>
      decodeFrames(input, { binary: system, credit, onSpawn: (p) => (pid = p.pid!) }).subscribe({
        next: (f) => {
          frames.push(f);
          setTimeout(() => credit.give(), f.index === 0 ? 300 : 1);
        },
        error: reject,
        complete: resolve,
      }),
    );
    expect(frames.map((f) => f.index)).toEqual([...Array(30).keys()]);
    expect(isRunning(pid)).toBe(false);
  });

  it('unsubscribing stops ffmpeg: the process is gone', async () => {
    const input = await openInput(media('interview.mp4'), { binary: system });
    let pid = 0;
    const frames = await lastValueFrom(decodeFrames(input, { binary: system, onSpawn: (p) => (pid = p.pid!) }).pipe(take(3), toArray()));
    expect(frames).toHaveLength(3);
    expect(await waitFor(() => !isRunning(pid), 2000)).toBe(true);
  });

  it('force-kills an ffmpeg that ignores SIGTERM', async () => {
    const input = await openInput(media('interview.mp4'), { binary: system });
    const stubborn = fakeFfmpeg(tmp.dir, 'stubborn-ffmpeg', "trap '' TERM\nwhile :; do sleep 0.05; done");
    let pid = 0;
    const subscription = decodeFrames(input, { binary: { ...system, ffmpeg: stubborn }, killTimeoutMs: 400, onSpawn: (p) => (pid = p.pid!) }).subscribe();
    await new Promise((r) => setTimeout(r, 100));
    subscription.unsubscribe();
    await new Promise((r) => setTimeout(r, 200));
    expect(isRunning(pid)).toBe(true); // still there after SIGTERM
    expect(await waitFor(() => !isRunning(pid), 2000)).toBe(true); // SIGKILL after 400 ms
  });

  it('a binary that cannot start errors instead of hanging', async () => {
    const input = await openInput(media('interview.mp4'), { binary: system });
    await expect(decodeAll(input, { binary: { ...system, ffmpeg: '/nonexistent/ffmpeg' } })).rejects.toThrow(
      `Decoding ${media('interview.mp4')} failed: cannot run /nonexistent/ffmpeg (spawn /nonexistent/ffmpeg ENOENT); reinstall ffmpeg or point NULLCAM_FFMPEG at a working one.`,
    );
  });

  it('an ffmpeg failure errors with argv, exit code and stderr tail', async () => {
    const input = await openInput(media('interview.mp4'), { binary: system });
    const failing = fakeFfmpeg(tmp.dir, 'failing-ffmpeg', 'echo "[h264 @ 0x1] [error] something broke" >&2; exit 69');
    const error = await decodeAll(input, { binary: { ...system, ffmpeg: failing } }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FfmpegError);
    expect(error).toMatchObject({
      message: `Decoding ${media('interview.mp4')} failed (ffmpeg exit 69: h264: something broke); check that the file plays in a video player, or re-encode it with ffmpeg.`,
      code: 69,
      signal: null,
      stderrTail: ['[h264 @ 0x1] [error] something broke'],
    });
    expect((error as FfmpegError).argv[0]).toBe(failing);
  });
});
