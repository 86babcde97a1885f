import { describe, expect, it } from 'vitest';
import { tilePlan, type TilePlanOptions } from '../../src/track/face-tiles.js';
import type { Box } from '../../src/track/geometry.js';

const BACK: TilePlanOptions = { inputSize: 256, faceRange: [14, 192], minFaceSize: 24 };

const inside = (f: Box, t: Box) => f.x >= t.x && f.y >= t.y && f.x + f.width <= t.x + t.width && f.y + f.height <= t.y + t.height;

describe('tilePlan', () => {
  it.each([
    [640, 480],
    [1280, 720],
    [1920, 1080],
    [720, 528],
  ])('at %ix%i puts every face from minFaceSize up wholly inside a tile that sees it within the band', (w, h) => {
    const levels = tilePlan(w, h, BACK);
    let seed = 7;
    const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    for (let n = 0; n < 2000; n++) {
      const side = 24 + rand() * (Math.min(w, h) * 0.9 - 24);
      const face = { x: rand() * (w - side), y: rand() * (h - side), width: side, height: side };
      const ok = levels.some((l) =>
        l.tiles.some((t) => {
          const px = (side * BACK.inputSize) / t.width;
          return inside(face, t) && side <= l.maxFace && px >= BACK.faceRange[0] - 1e-9 && px <= BACK.faceRange[1];
        }),
      );
      expect(ok, `face ${JSON.stringify(face)}`).toBe(true);
    }
  });

  it('starts with the whole frame letterboxed into one square tile that answers for every size', () => {
    const [whole] = tilePlan(1920, 1080, BACK);
    expect(whole.tiles).toEqual([{ x: 0, y: -420, width: 1920, height: 1920 }]);
    expect(whole.maxFace).toBe(Infinity);
  });

  it('needs one level when the finest tile is within 20% of the frame', () => {
    expect(tilePlan(512, 512, BACK)).toHaveLength(1);
  });

  it('makes the finest tile minFaceSize × inputSize / smallest band face', () => {
    const levels = tilePlan(1920, 1080, BACK);
    expect(levels.at(-1)!.tiles[0].width).toBeCloseTo((24 * 256) / 14, 6);
    expect(levels.reduce((n, l) => n + l.tiles.length, 0)).toBe(25);
  });

  it('keeps only the coarsest level under maxLevels: 1', () => {
    expect(tilePlan(1920, 1080, { ...BACK, maxLevels: 1 }).flatMap((l) => l.tiles)).toHaveLength(1);
  });
});
