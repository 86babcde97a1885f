/**
 * The live stages with pooled frame buffers (frame-pool.ts), in virtual time: a decoder-like source takes
 * every frame's buffer from the pool and writes the frame's own pixels into it, a slow detector and an
 * encoder-like sink that holds each frame for a while check that the pixels they hold stay that frame's.
 * A buffer handed out again while a stage still held it would show up as another frame's pixels: in the
 * output that would be a raw frame. Synthetic 16×16 frames and a fake detector (this tests ownership, not
 * faces).
 */
import { Subject } from 'rxjs';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Anonymizer } from '../../src/anonymize/anonymizer.js';
import { framePool } from '../../src/frame-pool.js';
import type { Frame } from '../../src/frame.js';
import { DroppedFrames, fillGaps } from '../../src/live/fill-gaps.js';
import { liveAnonymize } from '../../src/live/live-anonymize.js';
import type { Detection, FaceFrame } from '../../src/track/face.js';

const W = 16, H = 16, SIZE = W * H * 1.5;
const FRAMES = 400;

/** Frame i's pixels: its index in bytes 1–2, 77 elsewhere (byte 0 is the anonymizer's mark). */
function paint(data: Buffer, i: number): void {
  data.fill(77);
  data[1] = i & 0xff;
  data[2] = i >> 8;
}
const isBlack = (data: Buffer) => data.subarray(0, W * H).every((v) => v === 16) && data.subarray(W * H).every((v) => v === 128);
/** The pixels are frame i's (anonymized or not), or all black (covered). */
const isFrame = (data: Buffer, i: number) => isBlack(data) || (data[1] === (i & 0xff) && data[2] === i >> 8 && data.subarray(3).every((v) => v === 77));

/** Deterministic delays, ms, in [lo, hi). */
function delays(seed: number, lo: number, hi: number): () => number {
  let s = seed;
  return () => {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    return lo + (s % (hi - lo));
  };
}

const marker: Anonymizer = {
  name: 'marker',
  anonymizeInPlace(f: FaceFrame) {
    f.data[0] = 0;
  },
};

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('pooled frame buffers through the live stages', () => {
  it('are never handed out again while the detector, the anonymize stage, the repeats or the sink still hold them', async () => {
    const before = framePool.stats();
    const violations: string[] = [];
    const detectMs = delays(7, 5, 170);
    const sinkMs = delays(11, 0, 300);
    const face: Detection = { box: { x: 4, y: 4, width: 6, height: 6 }, score: 0.9, keypoints: [] };
    const detect = (frame: Frame) =>
      new Promise<Detection[]>((resolve) =>
        setTimeout(() => {
          // The detector reads its frame until it settles, as it arrived (a frame leaving early leaves with a copy).
          if (!(frame.data[0] === 77 && isFrame(frame.data, frame.index))) violations.push(`detector: frame ${frame.index}'s pixels changed`);
          resolve([face]);
        }, detectMs()),
      );
    const dropped = new DroppedFrames();
    let drops = 0, ahead = 0, repeats = 0, received = 0;
    const input = new Subject<Frame>();
    input
      .pipe(
        liveAnonymize({ detect }, marker, {
          stride: 1,
          tracker: {},
          timeline: { holdFrames: 12, backfillFrames: 0, maxInterpolateGap: 50, dilate: 0.2, dilatePerFrame: 0.02, maxExtraDilate: 0.3 },
          detectDeadlineMs: 150,
          aheadFrames: 3,
          queueFrames: 1,
          onDrop: (f) => (drops++, dropped.add(f.pts)),
          onAhead: () => ahead++,
        }),
        fillGaps({ gapMs: 1000, frameIntervalMs: () => 40, dropped, onRepeat: (n) => (repeats += n) }),
      )
      .subscribe((frame) => {
        // What encodeLive does: hold while the write is in flight.
        received++;
        if (!isFrame(frame.data, frame.index)) violations.push(`sink: frame ${frame.index} came with other pixels`);
        framePool.hold(frame.data);
        setTimeout(() => {
          if (!isFrame(frame.data, frame.index)) violations.push(`sink: frame ${frame.index}'s pixels changed while held`);
          framePool.release(frame.data);
        }, sinkMs());
      });
    for (let i = 0; i < FRAMES; i++) {
      const data = framePool.take(SIZE);
      paint(data, i);
      input.next({ source: 'cam', index: i, pts: i * 3600, timeBase: { num: 1, den: 90000 }, width: W, height: H, format: 'yuv420p', data });
      await vi.advanceTimersByTimeAsync(i % 50 < 5 ? 5 : 40); // bursts now and then
    }
    await vi.advanceTimersByTimeAsync(2000);
    expect(violations).toEqual([]);
    // The run did what it is meant to exercise: drops (and repeats over them), frames ahead of their detection (copies).
    expect(drops).toBeGreaterThan(10);
    expect(repeats).toBeGreaterThan(5);
    expect(ahead).toBeGreaterThan(10);
    expect(received).toBeGreaterThan(FRAMES - drops);
    const after = framePool.stats();
    expect(after.misuse).toBe(before.misuse);
    // Buffers were reused: a few dozen for 400 frames and their copies.
    expect(after.allocated - before.allocated).toBeLessThan(40);
  });
});
