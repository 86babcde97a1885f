import { describe, expect, it } from 'vitest';
import { weightedNms } from '../../src/track/nms.js';

const cand = (x: number, y: number, s: number, score: number) => ({ box: { x, y, width: s, height: s }, score, keypoints: new Float32Array([x, y]) });

describe('weightedNms', () => {
  it('merges overlapping candidates into their score-weighted mean and keeps the best score', () => {
    const [kept, ...rest] = weightedNms([cand(0, 0, 10, 0.5), cand(2, 0, 10, 1.5 / 2)], 0.3);
    expect(rest).toHaveLength(0);
    // weights 0.5 and 0.75: x = (0*0.5 + 2*0.75) / 1.25 = 1.2
    expect(kept.box.x).toBeCloseTo(1.2, 6);
    expect(kept.box.width).toBeCloseTo(10, 6);
    expect(kept.keypoints[0]).toBeCloseTo(1.2, 6);
    expect(kept.score).toBe(0.75);
  });

  it('keeps disjoint candidates apart, best first', () => {
    const kept = weightedNms([cand(0, 0, 10, 0.4), cand(100, 0, 10, 0.9)], 0.3);
    expect(kept.map((k) => k.box.x)).toEqual([100, 0]);
  });

  it('does not merge below the IoU threshold', () => {
    // IoU of two 10×10 boxes offset by 6: 40 / 160 = 0.25
    expect(weightedNms([cand(0, 0, 10, 0.9), cand(6, 0, 10, 0.8)], 0.3)).toHaveLength(2);
    expect(weightedNms([cand(0, 0, 10, 0.9), cand(6, 0, 10, 0.8)], 0.2)).toHaveLength(1);
  });
});
