/**
 * The live policy with synthetic 16×16 frames, fake models and fake timers (virtual time): faces are
 * anonymized from past detections; a late or failing detector, or a failing anonymizer, turns frames black
 * until it recovers; a slow detection lets a few frames go ahead on the tracks' predictions; frames that
 * arrive while the stage is still busy are dropped and counted, never queued.
 */
import { Subject } from 'rxjs';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Anonymizer } from '../../src/anonymize/anonymizer.js';
import type { Frame } from '../../src/frame.js';
import { describeDrop, liveAnonymize, type CoverReason, type DropCause, type LiveAnonymizeOptions } from '../../src/live/live-anonymize.js';
import type { Detection, FaceFrame } from '../../src/track/face.js';
import type { FaceAnalyzers } from '../../src/track/track-faces.js';

const W = 16, H = 16;
const frame = (index: number): Frame => ({ source: 'cam', index, pts: index * 3600, timeBase: { num: 1, den: 90000 }, width: W, height: H, format: 'yuv420p', data: Buffer.alloc(W * H * 1.5, 200) });
const isBlack = (f: Frame) => f.data.subarray(0, W * H).every((v) => v === 16) && f.data.subarray(W * H).every((v) => v === 128);
const face: Detection = { box: { x: 4, y: 4, width: 6, height: 6 }, score: 0.9, keypoints: [] };

const OPTIONS: LiveAnonymizeOptions = {
  stride: 2,
  tracker: {},
  timeline: { holdFrames: 12, backfillFrames: 0, maxInterpolateGap: 50, dilate: 0.2, dilatePerFrame: 0.02, maxExtraDilate: 0.3 },
  detectDeadlineMs: 200,
  aheadFrames: 3,
  queueFrames: 1,
};

/** Marks each anonymized face by writing 0 at its frame's first luma pixel. */
const marker: Anonymizer = {
  name: 'marker',
  anonymizeInPlace(f: FaceFrame) {
    f.data[0] = 0;
  },
};

function harness(analyzers: FaceAnalyzers, anonymizer: Anonymizer = marker, over: Partial<LiveAnonymizeOptions> = {}) {
  const input = new Subject<Frame>();
  const out: FaceFrame[] = [];
  const events: string[] = [];
  const causes: DropCause[] = [];
  input
    .pipe(
      liveAnonymize(analyzers, anonymizer, {
        ...OPTIONS,
        onDrop: (_f, cause) => causes.push(cause),
        onCover: (f, reason: CoverReason, first) => first && events.push(`cover ${f.index} ${reason}`),
        onRecover: (f) => events.push(`recover ${f.index}`),
        ...over,
      }),
    )
    .subscribe((f) => out.push(f));
  return { input, out, events, causes, dropped: () => causes.length };
}

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('liveAnonymize', () => {
  it('detects every stride-th frame and covers the face on the frames between from the track', async () => {
    const detect = vi.fn(async () => [face]);
    const h = harness({ detect });
    for (let i = 0; i < 4; i++) {
      h.input.next(frame(i));
      await vi.advanceTimersByTimeAsync(40);
    }
    expect(detect.mock.calls.map(([f]) => f.index)).toEqual([0, 2]);
    expect(h.out.map((f) => f.faces.map((x) => x.origin))).toEqual([['detected'], ['extrapolated'], ['detected'], ['extrapolated']]);
    expect(h.out.every((f) => f.data[0] === 0 && !isBlack(f))).toBe(true);
    expect(h.out[1].faces[0].box.width).toBeGreaterThan(h.out[0].faces[0].box.width); // grows away from a detection
    expect(h.events).toEqual([]);
  });

  it('covers frames black while the detector is past its deadline, without waiting for it, and recovers', async () => {
    let release: (() => void) | undefined;
    let calls = 0;
    const detect = vi.fn(() => (++calls === 2 ? new Promise<Detection[]>((r) => (release = () => r([face]))) : Promise.resolve([face])));
    const h = harness({ detect });
    h.input.next(frame(0));
    await vi.advanceTimersByTimeAsync(40);
    h.input.next(frame(1));
    await vi.advanceTimersByTimeAsync(40);
    h.input.next(frame(2)); // the detector hangs here
    await vi.advanceTimersByTimeAsync(199);
    expect(h.out).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(1);
    expect(h.out).toHaveLength(3);
    expect(isBlack(h.out[2])).toBe(true);
    for (let i = 3; i < 6; i++) {
      h.input.next(frame(i));
      await vi.advanceTimersByTimeAsync(0);
    }
    expect(h.out.slice(3).map(isBlack)).toEqual([true, true, true]); // covered at once, no waiting on the detector
    release!();
    await vi.advanceTimersByTimeAsync(0);
    h.input.next(frame(6));
    await vi.advanceTimersByTimeAsync(0);
    expect(isBlack(h.out[6])).toBe(false);
    expect(detect.mock.calls.map(([f]) => f.index)).toEqual([0, 2, 6]); // a fresh detection before trusting tracks again
    expect(h.events).toEqual(['cover 2 detector late', 'recover 6']);
    expect(h.dropped()).toBe(0);
  });

  it('covers frames while the detector fails and until it succeeds again', async () => {
    let fail = true;
    const detect = vi.fn(async () => {
      if (fail) throw new Error('onnx exploded');
      return [face];
    });
    const h = harness({ detect });
    for (let i = 0; i < 3; i++) {
      h.input.next(frame(i));
      await vi.advanceTimersByTimeAsync(0);
    }
    fail = false;
    h.input.next(frame(3));
    await vi.advanceTimersByTimeAsync(0);
    expect(h.out.map(isBlack)).toEqual([true, true, true, false]);
    expect(detect).toHaveBeenCalledTimes(4); // retried on every frame while unhealthy
    expect(h.events).toEqual(['cover 0 detector failed', 'recover 3']);
  });

  it('covers a frame the anonymizer fails on', async () => {
    const h = harness({ detect: async () => [face] }, { name: 'broken', anonymizeInPlace: () => { throw new Error('bad'); } });
    h.input.next(frame(0));
    await vi.advanceTimersByTimeAsync(0);
    expect(isBlack(h.out[0])).toBe(true);
    expect(h.events).toEqual(['cover 0 anonymizer failed']);
  });

  it('drops frames that arrive while it is busy (bounded queue), keeping the freshest', async () => {
    // Each detection takes 100 ms of virtual time; frames arrive every 40 ms.
    const detect = vi.fn(() => new Promise<Detection[]>((r) => setTimeout(() => r([face]), 100)));
    const h = harness({ detect }, marker, { stride: 1, detectDeadlineMs: 1000, aheadFrames: 0 });
    for (let i = 0; i < 25; i++) {
      h.input.next(frame(i));
      await vi.advanceTimersByTimeAsync(40);
    }
    await vi.advanceTimersByTimeAsync(1000);
    expect(h.out.length + h.dropped()).toBe(25);
    expect(h.dropped()).toBeGreaterThan(10);
    const indices = h.out.map((f) => f.index);
    expect(indices).toEqual([...indices].sort((a, b) => a - b));
    expect(indices.at(-1)).toBe(24);
    expect(h.out.some(isBlack)).toBe(false);
  });

  it('lets frames go ahead on predictions while a slow detection runs, then uses its result', async () => {
    // The second detection (frame 2) takes 130 ms; frames arrive every 40 ms.
    let calls = 0;
    const detect = vi.fn(() => new Promise<Detection[]>((r) => setTimeout(() => r([face]), ++calls === 2 ? 130 : 5)));
    const ahead: number[] = [];
    const h = harness({ detect }, marker, { onAhead: (f) => ahead.push(f.index) });
    for (let i = 0; i < 8; i++) {
      h.input.next(frame(i));
      await vi.advanceTimersByTimeAsync(40);
    }
    await vi.advanceTimersByTimeAsync(200);
    expect(ahead).toEqual([2, 3, 4]);
    expect(h.dropped()).toBe(0);
    expect(h.out.map((f) => f.index)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    // Frames 2–4 left while frame 2's detection ran (predicted from frame 0); 5 saw it; 6 detected again.
    expect(h.out.map((f) => f.faces.map((x) => x.origin).join())).toEqual(['detected', 'extrapolated', 'extrapolated', 'extrapolated', 'extrapolated', 'extrapolated', 'detected', 'extrapolated']);
    expect(detect.mock.calls.map(([f]) => f.index)).toEqual([0, 2, 6]);
    expect(h.out.every((f) => f.data[0] === 0 && !isBlack(f))).toBe(true);
    expect(h.events).toEqual([]);
  });

  it('keeps a frame as it arrived for its own detection while the frame goes ahead or is covered', async () => {
    // The detector, embedder and landmarker sample pixels after awaits (tile by tile): what they see of
    // frame 2 must not be the blurred (here: marked) or blackened pixels of the frame that already left.
    const seen: Array<[number, number]> = [];
    let calls = 0;
    const detect = vi.fn((f: Frame) => {
      const ms = ++calls === 2 ? 130 : calls === 3 ? 400 : 5;
      return new Promise<Detection[]>((r) => setTimeout(() => (seen.push([f.index, f.data[0]]), r([face])), ms));
    });
    const h = harness({ detect });
    const frames = Array.from({ length: 7 }, (_, i) => frame(i));
    for (const f of frames) {
      h.input.next(f);
      await vi.advanceTimersByTimeAsync(40);
    }
    await vi.advanceTimersByTimeAsync(500);
    // Frame 2 went ahead (anonymized) while its detection ran; frame 6's detection passed its deadline (covered black).
    expect(detect.mock.calls.map(([f]) => f.index)).toEqual([0, 2, 6]);
    expect(isBlack(h.out[6])).toBe(true);
    expect(h.out[2].data[0]).toBe(0);
    expect(seen.filter(([i]) => i === 2 || i === 6)).toEqual([[2, 200], [6, 200]]);
    // Only those two left with copies; a frame whose detection was done leaves with its own buffer.
    expect(h.out.filter((f) => f.data !== frames[f.index].data).map((f) => f.index)).toEqual([2, 6]);
  });

  it('goes ahead at most aheadFrames frames, then waits (dropping newer frames) rather than trust old tracks longer', async () => {
    let calls = 0;
    const detect = vi.fn(() => new Promise<Detection[]>((r) => setTimeout(() => r([face]), ++calls === 2 ? 190 : 5)));
    const h = harness({ detect }, marker, { aheadFrames: 1 });
    for (let i = 0; i < 9; i++) {
      h.input.next(frame(i));
      await vi.advanceTimersByTimeAsync(40);
    }
    await vi.advanceTimersByTimeAsync(200);
    // Frame 2 went ahead when 3 arrived; 3 waited for the detection (done at 270 ms) while 4, 5, 6 arrived.
    expect(h.out.map((f) => f.index)).toEqual([0, 1, 2, 3, 6, 7, 8]);
    expect(h.dropped()).toBe(2);
    // Each drop says why: frame 3 had waited 80, then 120 ms for the detection frame 2 started (at 80 ms).
    expect(h.causes).toEqual([
      { busyMs: 80, detectionWaitMs: 80, detectionAgeMs: 120, aheadFrames: 1, arrivalSpanMs: 40, arrivals: 2 },
      { busyMs: 120, detectionWaitMs: 120, detectionAgeMs: 160, aheadFrames: 1, arrivalSpanMs: 40, arrivals: 2 },
    ]);
    expect(describeDrop(h.causes[0])).toBe('the frame in process had been 80 ms in the stage, 80 of them waiting for a detection that had run 120 ms (1 frame had gone ahead); 2 frames arrived in 40 ms');
    expect(describeDrop({ busyMs: 40.4, detectionWaitMs: null, detectionAgeMs: null, aheadFrames: null, arrivalSpanMs: 0, arrivals: 1 })).toBe('the frame in process had been 40 ms in the stage, anonymizing');
    expect(h.out[3].faces[0].origin).toBe('extrapolated');
    expect(h.events).toEqual([]);
  });

  it('never goes ahead before the first detection succeeded: no tracks yet could cover a face', async () => {
    const detect = vi.fn(() => new Promise<Detection[]>((r) => setTimeout(() => r([face]), 130)));
    const h = harness({ detect });
    for (let i = 0; i < 5; i++) {
      h.input.next(frame(i));
      await vi.advanceTimersByTimeAsync(40);
    }
    await vi.advanceTimersByTimeAsync(300);
    expect(h.out[0].index).toBe(0);
    expect(h.out[0].faces.map((x) => x.origin)).toEqual(['detected']);
    expect(h.out.every((f) => f.faces.length === 1 && f.data[0] === 0)).toBe(true);
    expect(h.dropped()).toBeGreaterThan(0); // frames 1, 2 arrived while frame 0 waited
  });
});
