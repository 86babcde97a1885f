import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FACE_REGIONS, rasterizePolygon, regionPolygon, type FaceRegion } from '../../src/track/face-regions.js';
import { FACE_DETECTOR_MODEL, FaceDetector } from '../../src/track/face-detector.js';
import { FACE_LANDMARK_MODEL, FaceLandmarker, MESH_POINTS } from '../../src/track/face-landmarks.js';
import { openModels, stillFrame } from './face-fixtures.js';

const count = (m: Uint8Array) => m.reduce((a, v) => a + v, 0);

describe('rasterizePolygon', () => {
  it('fills pixels whose centre is inside (the doc example)', () => {
    expect(Array.from(rasterizePolygon([0, 0, 4, 0, 4, 2, 0, 2], 4, 3))).toEqual([1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0]);
  });

  it('fills a half-pixel-offset square by the centre rule, either winding', () => {
    // Centres 1.5..3.5 lie inside [1.2, 3.8]: columns and rows 1, 2, 3.
    const cw = rasterizePolygon([1.2, 1.2, 3.8, 1.2, 3.8, 3.8, 1.2, 3.8], 5, 5);
    const ccw = rasterizePolygon([1.2, 1.2, 1.2, 3.8, 3.8, 3.8, 3.8, 1.2], 5, 5);
    expect(cw).toEqual(ccw);
    for (let y = 0; y < 5; y++) for (let x = 0; x < 5; x++) expect(cw[y * 5 + x]).toBe(x >= 1 && x <= 3 && y >= 1 && y <= 3 ? 1 : 0);
  });

  it('approximates a triangle area and leaves a concave notch empty', () => {
    expect(count(rasterizePolygon([0, 0, 200, 0, 0, 100], 200, 100)) / 10000).toBeCloseTo(1, 1);
    // L shape: 10×10 square minus its top-right 5×5 quarter.
    const l = rasterizePolygon([0, 0, 5, 0, 5, 5, 10, 5, 10, 10, 0, 10], 10, 10);
    expect(count(l)).toBe(75);
    expect(l[2 * 10 + 7]).toBe(0);
    expect(l[7 * 10 + 7]).toBe(1);
  });

  it('clips to the mask and ignores degenerate input', () => {
    expect(count(rasterizePolygon([-10, -10, 30, -10, 30, 30, -10, 30], 8, 6))).toBe(48);
    expect(count(rasterizePolygon([0, 0, 5, 5], 8, 8))).toBe(0);
    expect(rasterizePolygon([0, 0, 4, 0, 4, 4], 0, 0)).toHaveLength(0);
  });
});

describe('FACE_REGIONS', () => {
  it('lists valid, distinct mesh indices per region', () => {
    for (const idx of Object.values(FACE_REGIONS)) {
      expect(new Set(idx).size).toBe(idx.length);
      for (const i of idx) expect(i >= 0 && i < MESH_POINTS).toBe(true);
    }
  });

  describe('on a real mesh (astronaut.png)', () => {
    let masks: Record<FaceRegion, Uint8Array>;
    let close: () => Promise<void>;
    const W = 512, H = 512;

    beforeAll(async () => {
      const opened = await openModels(FACE_DETECTOR_MODEL, FACE_LANDMARK_MODEL);
      close = opened.close;
      const frame = await stillFrame('astronaut.png');
      const [det] = await new FaceDetector(opened.runners[0]).detect(frame);
      const { points } = await new FaceLandmarker(opened.runners[1]).landmarks(frame, det);
      masks = Object.fromEntries(
        (Object.keys(FACE_REGIONS) as FaceRegion[]).map((r) => [r, rasterizePolygon(regionPolygon(points, r), W, H)]),
      ) as Record<FaceRegion, Uint8Array>;
    });
    afterAll(() => close());

    const centroid = (m: Uint8Array) => {
      let n = 0, sx = 0, sy = 0;
      m.forEach((v, i) => v && (n++, (sx += i % W), (sy += Math.floor(i / W))));
      return { x: sx / n, y: sy / n, n };
    };

    it('puts every feature inside the face oval, without overlaps between features', () => {
      const oval = masks.faceOval;
      const features: FaceRegion[] = ['leftEye', 'rightEye', 'leftBrow', 'rightBrow', 'nose', 'mouth'];
      for (const r of features) {
        const m = masks[r];
        expect(count(m), r).toBeGreaterThan(20);
        let outside = 0;
        m.forEach((v, i) => (outside += v && !oval[i] ? 1 : 0));
        expect(outside / count(m), r).toBeLessThan(0.05);
      }
      for (let a = 0; a < features.length; a++) {
        for (let b = a + 1; b < features.length; b++) {
          let both = 0;
          masks[features[a]].forEach((v, i) => (both += v && masks[features[b]][i] ? 1 : 0));
          expect(both, `${features[a]} ∩ ${features[b]}`).toBe(0);
        }
      }
    });

    it('orders the features as on a face: brows over eyes over nose over mouth, right side on the image left', () => {
      const c = Object.fromEntries(Object.entries(masks).map(([r, m]) => [r, centroid(m)])) as Record<FaceRegion, { x: number; y: number }>;
      expect(c.rightEye.x).toBeLessThan(c.leftEye.x);
      expect(c.rightBrow.x).toBeLessThan(c.leftBrow.x);
      expect(Math.max(c.rightBrow.y, c.leftBrow.y)).toBeLessThan(Math.min(c.rightEye.y, c.leftEye.y));
      expect(Math.max(c.rightEye.y, c.leftEye.y)).toBeLessThan(c.nose.y);
      expect(c.nose.y).toBeLessThan(c.mouth.y);
      expect(c.nose.x).toBeGreaterThan(c.rightEye.x);
      expect(c.nose.x).toBeLessThan(c.leftEye.x);
    });
  });
});
