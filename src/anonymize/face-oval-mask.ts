/**
 * Mask mode's region: the facemesh face oval, grown about its centre so the forehead up to the hairline
 * and the jaw edge are inside (the mesh contour runs a little inside both).
 */
import { boundingBox } from '../track/geometry.js';
import { rasterizePolygon, regionPolygon } from '../track/face-regions.js';
import { bitmapMask, pixelRect, type RegionMask } from './region-mask.js';

/** Growth of the oval about its centroid; 1.12 reached the hairline on the test stills. */
const OVAL_GROWTH = 1.12;

/** @param landmarks 468 facemesh points as x,y,z triples in frame pixels */
export function faceOvalMask(landmarks: Float32Array, frameWidth: number, frameHeight: number): RegionMask | undefined {
  const poly = regionPolygon(landmarks, 'faceOval');
  const n = poly.length / 2;
  let cx = 0, cy = 0;
  for (let k = 0; k < poly.length; k += 2) {
    cx += poly[k] / n;
    cy += poly[k + 1] / n;
  }
  for (let k = 0; k < poly.length; k += 2) {
    poly[k] = cx + (poly[k] - cx) * OVAL_GROWTH;
    poly[k + 1] = cy + (poly[k + 1] - cy) * OVAL_GROWTH;
  }
  const r = pixelRect(boundingBox(poly), frameWidth, frameHeight);
  if (!r) return undefined;
  for (let k = 0; k < poly.length; k += 2) {
    poly[k] -= r.x;
    poly[k + 1] -= r.y;
  }
  return bitmapMask(r, rasterizePolygon(poly, r.width, r.height));
}
