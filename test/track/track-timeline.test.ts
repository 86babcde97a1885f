import { describe, expect, it } from 'vitest';
import { TrackTimeline, type TimelineOptions } from '../../src/track/track-timeline.js';

const opts: TimelineOptions = { holdFrames: 5, backfillFrames: 4, maxInterpolateGap: 10, dilate: 0, dilatePerFrame: 0, maxExtraDilate: 0 };
const box = (x: number) => ({ x, y: 0, width: 10, height: 10 });

describe('TrackTimeline', () => {
  it('interpolates a box between two detections', () => {
    const tl = new TrackTimeline(opts);
    tl.observe(1, { frame: 0, box: box(0), score: 0.9 });
    tl.observe(1, { frame: 4, box: box(40), score: 0.9 });
    const [f] = tl.facesAt(1);
    expect(f.origin).toBe('interpolated');
    expect(f.box.x).toBeCloseTo(10);
  });

  it('covers frames after the last detection for holdFrames, then stops', () => {
    const tl = new TrackTimeline(opts);
    tl.observe(1, { frame: 0, box: box(0), score: 0.9 });
    tl.observe(1, { frame: 1, box: box(2), score: 0.9 });
    expect(tl.facesAt(6)[0].origin).toBe('extrapolated');
    expect(tl.facesAt(6)[0].box.x).toBeGreaterThan(2);
    expect(tl.facesAt(7)).toEqual([]);
  });

  it('backfills frames before the first detection', () => {
    const tl = new TrackTimeline(opts);
    tl.observe(1, { frame: 10, box: box(50), score: 0.9 });
    expect(tl.facesAt(6)[0].box.x).toBe(50);
    expect(tl.facesAt(5)).toEqual([]);
  });

  it('covers both ends of a gap too long to interpolate', () => {
    const tl = new TrackTimeline(opts);
    tl.observe(1, { frame: 0, box: box(0), score: 0.9 });
    tl.observe(1, { frame: 20, box: box(200), score: 0.9 });
    expect(tl.facesAt(3)[0].box.x).toBe(0);
    expect(tl.facesAt(17)[0].box.x).toBe(200);
    expect(tl.facesAt(10)).toEqual([]);
  });

  it('dilates more the further a frame is from a detection', () => {
    const tl = new TrackTimeline({ ...opts, dilate: 0.1, dilatePerFrame: 0.05, maxExtraDilate: 0.2 });
    tl.observe(1, { frame: 0, box: box(0), score: 0.9 });
    const w = [0, 1, 2, 5].map((f) => tl.facesAt(f)[0].box.width);
    expect(w[0]).toBeCloseTo(12);
    expect(w[1]).toBeGreaterThan(w[0]);
    expect(w[3]).toBeCloseTo(10 * (1 + 2 * 0.3));
  });

  it('moves landmarks with the interpolated box', () => {
    const tl = new TrackTimeline(opts);
    tl.observe(1, { frame: 0, box: box(0), score: 0.9, landmarks: Float32Array.from([5, 5, 0]) });
    tl.observe(1, { frame: 2, box: box(20), score: 0.9 });
    expect(Array.from(tl.facesAt(1)[0].landmarks!)).toEqual([15, 5, 0]);
  });

  it('covers a rejected track only up to its rejection, and backfills it no further back', () => {
    const tl = new TrackTimeline(opts);
    tl.observe(1, { frame: 10, box: box(50), score: 0.4 });
    tl.reject(1, 13);
    expect(tl.facesAt(12)).toHaveLength(1);
    expect(tl.facesAt(13)).toEqual([]);
    expect(tl.facesAt(8)).toHaveLength(1);
    expect(tl.facesAt(7)).toEqual([]);
  });

  it('forgets a rejection when the track is seen again', () => {
    const tl = new TrackTimeline(opts);
    tl.observe(1, { frame: 10, box: box(50), score: 0.4 });
    tl.reject(1, 13);
    tl.observe(1, { frame: 14, box: box(50), score: 0.9 });
    expect(tl.facesAt(19)).toHaveLength(1);
  });

  it('never extrapolates a box smaller than the nearest detection, however fast the face shrank', () => {
    const tl = new TrackTimeline(opts);
    tl.observe(1, { frame: 0, box: { x: 0, y: 0, width: 40, height: 40 }, score: 0.9 });
    tl.observe(1, { frame: 1, box: { x: 10, y: 10, width: 20, height: 20 }, score: 0.9 });
    for (const frame of [2, 4, 6]) {
      const [f] = tl.facesAt(frame);
      expect(f.box.width).toBeGreaterThanOrEqual(20);
      expect(f.box.height).toBeGreaterThanOrEqual(20);
    }
    // Backwards too: before the first detection, from a face that grew.
    const back = new TrackTimeline(opts);
    back.observe(1, { frame: 10, box: { x: 10, y: 10, width: 20, height: 20 }, score: 0.9 });
    back.observe(1, { frame: 11, box: { x: 0, y: 0, width: 40, height: 40 }, score: 0.9 });
    expect(back.facesAt(7)[0].box.width).toBeGreaterThanOrEqual(20);
  });

  it('prunes ended tracks', () => {
    const tl = new TrackTimeline(opts);
    tl.observe(1, { frame: 0, box: box(0), score: 0.9 });
    tl.prune(100);
    tl.observe(2, { frame: 100, box: box(0), score: 0.9 });
    expect(tl.facesAt(100).map((f) => f.trackId)).toEqual([2]);
  });
});
