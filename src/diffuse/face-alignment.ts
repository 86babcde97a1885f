/**
 * Face-aligned crops: a similarity warp (rotation, uniform scale, shift) fitted by least squares from five
 * facemesh points to a template. Both diffusion methods run in such a canonical crop: the face sits at the
 * same place in every frame, so crop jitter does not flicker, a per-track key pattern follows the face, and
 * the identity encoder gets the 5-point alignment it was trained on. Pure.
 */
import { boundingBox, type Box } from '../track/geometry.js';
import type { Affine } from '../track/image-sampler.js';
import { regionPolygon } from '../track/face-regions.js';

/** A template's 5 points, as [x, y] in crop pixels: image-left eye, image-right eye, nose tip, mouth corners. */
export type FivePoints = readonly (readonly [number, number])[];

/** InsightFace's ArcFace template for 112² crops (image-left eye first), which FaceID bundles use. */
export const ARCFACE_TEMPLATE: FivePoints = Object.freeze([
  [38.2946, 51.6963],
  [73.5318, 51.5014],
  [56.0252, 71.7366],
  [41.5493, 92.3655],
  [70.7299, 92.2041],
] as const);

/**
 * The diffusion crop's template for a size×size crop: the ArcFace layout scaled so the eyes are a quarter
 * of the crop apart, centred, eyes at 42 % of the height. That leaves the forehead, chin and some hair
 * inside, as in the FFHQ-style crops SD 1.5 faces and the FFHQ LDM were trained on.
 */
export function diffusionTemplate(size: number): FivePoints {
  const k = (0.25 * size) / (ARCFACE_TEMPLATE[1][0] - ARCFACE_TEMPLATE[0][0]);
  const ex = (ARCFACE_TEMPLATE[0][0] + ARCFACE_TEMPLATE[1][0]) / 2, ey = (ARCFACE_TEMPLATE[0][1] + ARCFACE_TEMPLATE[1][1]) / 2;
  return ARCFACE_TEMPLATE.map(([x, y]) => [0.5 * size + (x - ex) * k, 0.42 * size + (y - ey) * k] as const);
}

/** Mesh indices of the five points: eye centres from their corners, nose tip, mouth corners (image-left first). */
const FIVE = { leftEye: [33, 133], rightEye: [362, 263], nose: 1, mouthLeft: 61, mouthRight: 291 } as const;

/** @param landmarks 468 facemesh x,y,z triples in frame pixels @returns the 5 points in frame pixels */
export function meshFivePoints(landmarks: Float32Array): FivePoints {
  const at = (i: number): [number, number] => [landmarks[3 * i], landmarks[3 * i + 1]];
  const mid = ([a, b]: readonly [number, number]): [number, number] => [(landmarks[3 * a] + landmarks[3 * b]) / 2, (landmarks[3 * a + 1] + landmarks[3 * b + 1]) / 2];
  return [mid(FIVE.leftEye), mid(FIVE.rightEye), at(FIVE.nose), at(FIVE.mouthLeft), at(FIVE.mouthRight)];
}

/**
 * Least-squares similarity from crop pixels to frame pixels (Umeyama without reflection).
 * @param template points in crop pixels
 * @param points the same points in frame pixels
 * @returns the Affine image-sampler.ts takes (crop pixel → frame pixel)
 */
export function similarityAffine(template: FivePoints, points: FivePoints): Affine {
  const n = template.length;
  let sx = 0, sy = 0, dx = 0, dy = 0;
  for (let i = 0; i < n; i++) {
    sx += template[i][0] / n;
    sy += template[i][1] / n;
    dx += points[i][0] / n;
    dy += points[i][1] / n;
  }
  let num1 = 0, num2 = 0, den = 0;
  for (let i = 0; i < n; i++) {
    const x = template[i][0] - sx, y = template[i][1] - sy;
    const u = points[i][0] - dx, v = points[i][1] - dy;
    num1 += x * u + y * v;
    num2 += x * v - y * u;
    den += x * x + y * y;
  }
  const a = num1 / den, b = num2 / den;
  // [u v] = [a −b; b a]·[x y] + t
  return { a, b: -b, c: dx - a * sx + b * sy, d: b, e: a, f: dy - b * sx - a * sy };
}

/**
 * The face-oval polygon in crop pixels, grown about its centroid.
 * @param toCrop frame pixel → crop pixel (the inverse of the crop's Affine)
 * @param growth 1 = the mesh's oval; > 1 reaches past the hairline and jaw
 */
export function cropFaceOval(landmarks: Float32Array, toCrop: Affine, growth: number): Float32Array {
  const poly = regionPolygon(landmarks, 'faceOval');
  const n = poly.length / 2;
  let cx = 0, cy = 0;
  for (let k = 0; k < poly.length; k += 2) {
    const x = poly[k], y = poly[k + 1];
    poly[k] = toCrop.a * x + toCrop.b * y + toCrop.c;
    poly[k + 1] = toCrop.d * x + toCrop.e * y + toCrop.f;
    cx += poly[k] / n;
    cy += poly[k + 1] / n;
  }
  for (let k = 0; k < poly.length; k += 2) {
    poly[k] = cx + (poly[k] - cx) * growth;
    poly[k + 1] = cy + (poly[k + 1] - cy) * growth;
  }
  return poly;
}

/**
 * The face-oval stand-in for a face without landmarks: the ellipse inscribed in its (dilated) box, in crop
 * pixels, grown about its centre.
 * @param toCrop frame pixel → crop pixel
 * @param points polygon vertices (32 follow an ellipse to a fraction of a pixel at crop sizes ≤ 512)
 */
export function cropBoxEllipse(box: Box, toCrop: Affine, growth: number, points = 32): Float32Array {
  const cx = box.x + box.width / 2, cy = box.y + box.height / 2;
  const poly = new Float32Array(2 * points);
  for (let k = 0; k < points; k++) {
    const t = (2 * Math.PI * k) / points;
    const x = cx + (growth * box.width * Math.cos(t)) / 2, y = cy + (growth * box.height * Math.sin(t)) / 2;
    poly[2 * k] = toCrop.a * x + toCrop.b * y + toCrop.c;
    poly[2 * k + 1] = toCrop.d * x + toCrop.e * y + toCrop.f;
  }
  return poly;
}

/**
 * Where the five points of an upright face filling `box` would be: the diffusion template placed so the
 * box is 1/1.3 of the crop side (a tracked box, dilated 0.2 per side, holds brow to chin at about the
 * template's scale). Used to align faces the mesh did not find; no roll is known, so none is assumed.
 */
export function boxFivePoints(box: Box): FivePoints {
  const side = 1.3 * Math.max(box.width, box.height);
  const x0 = box.x + box.width / 2 - side / 2, y0 = box.y + box.height / 2 - side / 2;
  return diffusionTemplate(side).map(([x, y]) => [x0 + x, y0 + y] as const);
}

/**
 * Whether a mesh plausibly outlines the face in `box`: its oval's centre within a quarter of the box from
 * the box's centre, and its size 0.4–1.3 of the box. On interview.mp4 and Megamind.avi the oval's width
 * and height had medians of 0.67–0.80 of the tracked (dilated) box, centres within 0.07 of its size; a
 * mesh outside the bounds has slipped, and trusting it would blend a region that may miss the face.
 */
export function meshFitsBox(landmarks: Float32Array, box: Box): boolean {
  const o = boundingBox(regionPolygon(landmarks, 'faceOval'));
  if (!(box.width > 0 && box.height > 0)) return false;
  const dx = Math.abs(o.x + o.width / 2 - (box.x + box.width / 2)) / box.width;
  const dy = Math.abs(o.y + o.height / 2 - (box.y + box.height / 2)) / box.height;
  const rw = o.width / box.width, rh = o.height / box.height;
  return dx < 0.25 && dy < 0.25 && rw > 0.4 && rw < 1.3 && rh > 0.4 && rh < 1.3;
}
