import { firstValueFrom, from, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import type { Frame } from '../../src/frame.js';
import type { Detection } from '../../src/track/face.js';
import { trackFaces } from '../../src/track/track-faces.js';

const frames = (n: number): Frame[] =>
  Array.from({ length: n }, (_, index) => ({ source: 't', index, pts: index, timeBase: { num: 1, den: 25 }, width: 64, height: 64, format: 'rgb24', data: Buffer.alloc(64 * 64 * 3) }));
const timeline = { holdFrames: 4, backfillFrames: 4, maxInterpolateGap: 12, dilate: 0, dilatePerFrame: 0, maxExtraDilate: 0 };

describe('trackFaces', () => {
  it('covers every frame of a face the detector sees only on some frames', async () => {
    const seen: number[] = [];
    const detect = async (f: Frame): Promise<Detection[]> => {
      seen.push(f.index);
      // Misses frames 6 and 9 (stride 3 → detector runs on 0,3,6,9,12,...).
      return f.index === 6 || f.index === 9 ? [] : [{ box: { x: f.index, y: 10, width: 20, height: 20 }, score: 0.8, keypoints: [] }];
    };
    const out = await firstValueFrom(from(frames(20)).pipe(trackFaces({ detect }, { stride: 3, lookahead: 8, tracker: {}, timeline }), toArray()));
    expect(seen).toEqual([0, 3, 6, 9, 12, 15, 18]);
    expect(out.map((f) => f.index)).toEqual([...Array(20).keys()]);
    for (const f of out) {
      expect(f.faces).toHaveLength(1);
      expect(f.faces[0].trackId).toBe(1);
      // Extrapolation past the last detection damps velocity by half: within a pixel here.
      expect(Math.abs(f.faces[0].box.x - f.index)).toBeLessThanOrEqual(1);
    }
    expect(out[7].faces[0].origin).toBe('interpolated');
  });

  it('passes frames through unchanged when there are no faces', async () => {
    const out = await firstValueFrom(from(frames(5)).pipe(trackFaces({ detect: async () => [] }, { stride: 1, lookahead: 2, tracker: {}, timeline }), toArray()));
    expect(out.map((f) => f.faces.length)).toEqual([0, 0, 0, 0, 0]);
  });

  it('fails the stream when the detector fails (the CLI then writes nothing)', async () => {
    const bad = from(frames(3)).pipe(trackFaces({ detect: async () => { throw new Error('boom'); } }, { stride: 1, lookahead: 2, tracker: {}, timeline }));
    await expect(firstValueFrom(bad.pipe(toArray()))).rejects.toThrow('boom');
  });
});
