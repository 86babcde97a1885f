import { describe, expect, it } from 'vitest';
import type { Detection } from '../../src/track/face.js';
import type { Box } from '../../src/track/geometry.js';
import { Tracker } from '../../src/track/tracker.js';

const det = (x: number, y: number, size = 40, score = 0.9): Detection => ({ box: { x, y, width: size, height: size }, score, keypoints: [] });
const unit = (...v: number[]): Float32Array => {
  const a = Float32Array.from(v);
  const n = Math.hypot(...v);
  return a.map((x) => x / n);
};

describe('Tracker', () => {
  it('keeps one id for a face moving steadily', () => {
    const t = new Tracker();
    const ids = new Set<number>();
    for (let f = 0; f < 30; f++) ids.add(t.update(f, [det(100 + f * 6, 80)]).trackIds[0]);
    expect([...ids]).toEqual([1]);
  });

  it('keeps the id across a short detector miss (simulated)', () => {
    const t = new Tracker({ maxMisses: 5 });
    const ids: number[] = [];
    for (let f = 0; f < 20; f++) {
      const dets = f >= 8 && f < 12 ? [] : [det(100 + f * 5, 100)];
      const u = t.update(f, dets);
      if (dets.length) ids.push(u.trackIds[0]);
      else expect(u.live.map((s) => s.id)).toEqual([1]);
    }
    expect(new Set(ids)).toEqual(new Set([1]));
  });

  it('keeps ids apart when two faces cross', () => {
    // A moves right, B moves left at the same height; they overlap around frame 10.
    const t = new Tracker();
    let idA = 0, idB = 0;
    for (let f = 0; f <= 20; f++) {
      const a = det(100 + f * 10, 100), b = det(300 - f * 10, 104);
      const { trackIds } = t.update(f, [a, b]);
      if (f === 0) [idA, idB] = trackIds;
      else expect(trackIds).toEqual([idA, idB]);
    }
    expect(idA).not.toBe(idB);
  });

  it('predicts by constant velocity', () => {
    const t = new Tracker();
    t.update(0, [det(0, 0)]);
    t.update(2, [det(20, 10)]);
    const [s] = t.tracks;
    const p: Box = Tracker.predict(s, 4);
    expect(p.x).toBeCloseTo(40);
    expect(p.y).toBeCloseTo(20);
  });

  it('re-identifies a face after occlusion by embedding, and not a stranger', () => {
    const t = new Tracker({ maxMisses: 2 });
    const alice = unit(1, 0, 0, 0), bob = unit(0, 1, 0, 0);
    t.update(0, [det(100, 100)], [alice]);
    for (let f = 1; f <= 10; f++) t.update(f, []);
    expect(t.tracks).toHaveLength(0);
    // Alice comes back elsewhere: same id. Bob appears: a new id.
    const back = t.update(11, [det(400, 300), det(50, 300)], [unit(0.95, 0.05, 0.1, 0), bob]);
    expect(back.trackIds[0]).toBe(1);
    expect(back.trackIds[1]).toBe(2);
  });

  it('rejects a low-score track seen once and then missed twice, and keeps one seen twice', () => {
    const t = new Tracker({ tentativeMisses: 1 });
    t.update(0, [det(100, 100), det(400, 100, 40, 0.35)]);
    t.update(2, [det(102, 100)]);
    const u = t.update(4, [det(104, 100)]);
    expect(u.rejected).toEqual([2]);
    expect(u.live.map((s) => s.id)).toEqual([1]);
    expect(t.update(6, []).rejected).toEqual([]);
    expect(t.update(8, []).live.map((s) => s.id)).toEqual([1]);
  });

  it('never rejects a confident face seen once: it is held like any track', () => {
    const t = new Tracker({ tentativeMisses: 1, maxMisses: 5 });
    t.update(0, [det(400, 100, 40, 0.8)]);
    for (const f of [2, 4, 6]) expect(t.update(f, []).rejected).toEqual([]);
    expect(t.update(8, []).live.map((s) => s.id)).toEqual([1]);
  });

  it('gives a new id to a face far from every track', () => {
    const t = new Tracker();
    t.update(0, [det(0, 0)]);
    expect(t.update(1, [det(0, 0), det(500, 500)]).trackIds).toEqual([1, 2]);
    expect(t.trackCount).toBe(2);
  });
});
