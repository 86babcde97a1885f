/**
 * The live encoder end to end with ffmpeg: synthetic frames in, access units out, one per frame with the
 * frame's pts, keyframes at the GOP with parameter sets in front; the units written as Annex-B decode back
 * to the same number of frames and size.
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { from, lastValueFrom, Subject, tap, toArray } from 'rxjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Frame } from '../../src/frame.js';
import { framePool } from '../../src/frame-pool.js';
import { NalType, nalType, type H264AccessUnit } from '../../src/egress/h264-access-unit.js';
import { liveEncodeArgs } from '../../src/egress/live-encode-args.js';
import { encodeLive } from '../../src/egress/live-encoder.js';
import { locateFfmpeg, type FfmpegBinary } from '../../src/ingest/ffmpeg-binary.js';
import { knownFrames, tempDir } from '../fixtures/media.js';

const W = 64, H = 48;
const tmp = tempDir('nullcam-live-enc-');
let binary: FfmpegBinary;
beforeAll(async () => {
  binary = await locateFfmpeg();
});
afterAll(() => tmp.remove());

const frames = (n: number, w = W, h = H): Frame[] =>
  knownFrames('yuv420p', w, h, n).map((data, i) => ({ source: 's', index: i, pts: 1000 + i * 3600, timeBase: { num: 1, den: 90000 }, width: w, height: h, format: 'yuv420p', data }));

describe('liveEncodeArgs', () => {
  it('is raw frames in, low-latency x264 with a fixed GOP and no B-frames, FLV out', () => {
    expect(liveEncodeArgs({ width: 1280, height: 720, frameRate: { num: 25, den: 1 }, gopFrames: 25, preset: 'ultrafast', crf: 23 })).toEqual([
      '-hide_banner', '-nostdin', '-nostats', '-loglevel', 'level+warning', '-f', 'rawvideo', '-pix_fmt', 'yuv420p',
      '-s', '1280x720', '-framerate', '25/1', '-i', 'pipe:0', '-c:v', 'libx264', '-preset', 'ultrafast', '-tune', 'zerolatency',
      '-crf', '23', '-g', '25', '-keyint_min', '25', '-bf', '0', '-pix_fmt', 'yuv420p', '-flush_packets', '1',
      '-flvflags', 'no_duration_filesize', '-f', 'flv', 'pipe:1',
    ]);
  });
});

describe('encodeLive', () => {
  it('emits one access unit per frame with its pts, keyframes every GOP led by SPS and PPS, decodable', async () => {
    const input = frames(60);
    const aus = await lastValueFrom(
      from(input).pipe(encodeLive({ binary, frameRate: () => ({ num: 25, den: 1 }), gopSeconds: 1, preset: 'ultrafast', crf: 23, maxPendingFrames: 1000 }), toArray()),
    );
    expect(aus).toHaveLength(60);
    expect(aus.map((a) => a.pts90k)).toEqual(input.map((f) => f.pts));
    expect(aus.map((a, i) => (a.keyframe ? i : -1)).filter((i) => i >= 0)).toEqual([0, 25, 50]);
    for (const i of [0, 25, 50]) expect(aus[i].nalus.map(nalType).slice(0, 2)).toEqual([NalType.SPS, NalType.PPS]);
    expect(aus[1].nalus.map(nalType)).not.toContain(NalType.SPS);
    const file = path.join(tmp.dir, 'out.h264');
    writeFileSync(file, Buffer.concat(aus.flatMap((a) => a.nalus.flatMap((n) => [Buffer.from([0, 0, 0, 1]), n]))));
    const probe = execFileSync('ffprobe', ['-v', 'error', '-count_frames', '-show_entries', 'stream=nb_read_frames,width,height', '-of', 'csv=p=0', file]).toString().trim();
    expect(probe).toBe(`${W},${H},60`);
  });

  it('drops frames instead of queueing when the encoder pipe is full, and restarts on a new frame size', async () => {
    let dropped = 0;
    const starts: string[] = [];
    const input = [...frames(200), ...frames(5, 32, 32).map((f, i) => ({ ...f, pts: 1_000_000 + i * 3600 }))];
    const aus = await lastValueFrom(
      from(input).pipe(
        encodeLive({ binary, frameRate: () => ({ num: 25, den: 1 }), gopSeconds: 1, preset: 'ultrafast', crf: 23, maxPendingFrames: 2, onDrop: () => dropped++, onSpawn: (p) => starts.push(p.argv.join(' ')) }),
        toArray(),
      ),
    );
    // Synchronous input is far faster than real time: the pipe fills and most frames drop.
    expect(dropped).toBeGreaterThan(0);
    expect(starts).toHaveLength(2);
    expect(starts[1]).toContain('-s 32x32');
    const last = aus.slice(-5);
    expect(last.map((a) => a.pts90k)).toEqual(input.slice(-5).map((f) => f.pts));
    expect(last[0].keyframe).toBe(true);
  });

  it("starts again when the frame rate changes (a camera's, once measured): the keyframe interval follows it", async () => {
    let rate = { num: 25, den: 1 };
    const starts: string[] = [];
    const input = frames(40);
    const aus = await lastValueFrom(
      from(input).pipe(
        tap((f) => {
          if (f.index === 20) rate = { num: 5, den: 1 };
        }),
        encodeLive({ binary, frameRate: () => rate, gopSeconds: 1, preset: 'ultrafast', crf: 23, maxPendingFrames: 1000, onSpawn: (p) => starts.push(p.argv.join(' ')) }),
        toArray(),
      ),
    );
    expect(starts).toHaveLength(2);
    expect(starts[1]).toContain('-framerate 5/1 ');
    expect(starts[1]).toContain('-g 5 ');
    // The second encoder's units: a keyframe every 5 frames from its first.
    const second = aus.filter((a) => a.pts90k >= input[20].pts);
    expect(second.map((a) => a.pts90k)).toEqual(input.slice(20).map((f) => f.pts));
    expect(second.map((a, i) => (a.keyframe ? i : -1)).filter((i) => i >= 0)).toEqual([0, 5, 10, 15]);
  });

  it('gives a repeat (the pixels just written) a slot only while one stays free for the next frame', async () => {
    // Frames larger than the pipe's own buffer (64 KB), so written pixels wait in the stream.
    const [first, a, b] = frames(3, 640, 480);
    const repeat = { ...a, pts: a.pts + 1800 };
    const dropped: number[] = [];
    const input = new Subject<Frame>();
    const aus: H264AccessUnit[] = [];
    const done = lastValueFrom(
      input.pipe(
        encodeLive({ binary, frameRate: () => ({ num: 25, den: 1 }), gopSeconds: 1, preset: 'ultrafast', crf: 23, maxPendingFrames: 2, onDrop: (f) => dropped.push(f.pts) }),
        tap((au) => aus.push(au)),
        toArray(),
      ),
    );
    input.next(first);
    while (aus.length === 0) await new Promise((r) => setTimeout(r, 10)); // up: the steady-state limit applies
    // Synchronous input: nothing is consumed in between, so the pipe holds a's pixels when the repeat comes.
    input.next(a);
    input.next(repeat);
    input.next(b);
    input.complete();
    await done;
    expect(dropped).toEqual([repeat.pts]);
    expect(aus.map((u) => u.pts90k)).toEqual([first.pts, a.pts, b.pts]);
  });

  it('holds a pooled frame buffer until it is written, then gives it back (the last one only when another replaces it)', async () => {
    const before = framePool.stats();
    const input = frames(20).map((f) => {
      const data = framePool.take(f.data.length);
      f.data.copy(data);
      return { ...f, data };
    });
    const held: boolean[] = [];
    const aus = await lastValueFrom(
      from(input).pipe(
        tap({ complete: () => held.push(...input.map((f) => framePool.take(f.data.length) !== f.data)) }),
        encodeLive({ binary, frameRate: () => ({ num: 25, den: 1 }), gopSeconds: 1, preset: 'ultrafast', crf: 23, maxPendingFrames: 1000 }),
        toArray(),
      ),
    );
    expect(aus).toHaveLength(20);
    // While writes were in flight no buffer was handed out again; once written, all but the last came back.
    expect(held.every(Boolean)).toBe(true);
    const after = framePool.stats();
    expect(after.misuse).toBe(before.misuse);
    expect(after.free - before.free).toBe(19);
  });

  it('holds more frames while the encoder starts, so its start-up drops none', async () => {
    const input = frames(10, 640, 480);
    let dropped = 0;
    const aus = await lastValueFrom(
      from(input).pipe(encodeLive({ binary, frameRate: () => ({ num: 25, den: 1 }), gopSeconds: 1, preset: 'ultrafast', crf: 23, maxPendingFrames: 2, onDrop: () => dropped++ }), toArray()),
    );
    expect(dropped).toBe(0);
    expect(aus).toHaveLength(10);
  });

  it('keeps the start-up allowance until the encoder has worked off its start-up backlog', async () => {
    // A camera's first frames as a burst, then more frames the moment the first access unit is out.
    const burst = frames(8, 640, 480);
    const more = frames(4, 640, 480).map((f, i) => ({ ...f, pts: 100_000 + i * 3600 }));
    let dropped = 0;
    const input = new Subject<Frame>();
    const aus: H264AccessUnit[] = [];
    const done = lastValueFrom(
      input.pipe(
        encodeLive({ binary, frameRate: () => ({ num: 25, den: 1 }), gopSeconds: 1, preset: 'ultrafast', crf: 23, maxPendingFrames: 2, onDrop: () => dropped++ }),
        tap((au) => {
          aus.push(au);
          if (aus.length === 1) more.forEach((f) => input.next(f));
        }),
        toArray(),
      ),
    );
    burst.forEach((f) => input.next(f));
    while (aus.length + dropped < 12) await new Promise((r) => setTimeout(r, 10));
    input.complete();
    await done;
    expect(dropped).toBe(0);
  });
});
