/**
 * Face regions as polygons over the 468-point MediaPipe face mesh, and a scanline rasterizer for them.
 * No face-parsing model ships anywhere reachable; the mesh's canonical topology already names every
 * region's outline. Index lists follow MediaPipe's face_mesh_connections (FACEMESH_FACE_OVAL, _LEFT_EYE,
 * _RIGHT_EYE, _LEFT_EYEBROW, _RIGHT_EYEBROW, _LIPS, _NOSE), each chain walked into one closed loop.
 * "Left"/"right" are the subject's: the right eye is on the image's left in a frontal view. Pure.
 */

export type FaceRegion = 'faceOval' | 'leftEye' | 'rightEye' | 'leftBrow' | 'rightBrow' | 'nose' | 'mouth';

/** Closed outlines as mesh indices, in order around each region. */
export const FACE_REGIONS: Readonly<Record<FaceRegion, readonly number[]>> = Object.freeze({
  faceOval: Object.freeze([
    10, 338, 297, 332, 284, 251, 389, 356, 454, 323, 361, 288, 397, 365, 379, 378, 400, 377,
    152, 148, 176, 149, 150, 136, 172, 58, 132, 93, 234, 127, 162, 21, 54, 103, 67, 109,
  ]),
  // Lower lid outer→inner corner, then the upper lid back.
  rightEye: Object.freeze([33, 7, 163, 144, 145, 153, 154, 155, 133, 173, 157, 158, 159, 160, 161, 246]),
  leftEye: Object.freeze([263, 249, 390, 373, 374, 380, 381, 382, 362, 398, 384, 385, 386, 387, 388, 466]),
  // Upper edge outer→inner, then the lower edge back.
  rightBrow: Object.freeze([70, 63, 105, 66, 107, 55, 65, 52, 53, 46]),
  leftBrow: Object.freeze([300, 293, 334, 296, 336, 285, 295, 282, 283, 276]),
  // FACEMESH_NOSE's outer contour (sidewalls 275…278 / 45…48, alae, base 98-97-2-326-327) closed over the
  // bridge by its side points 51/3/196/122/193 and 281/248/419/351/417 (picked on a rendered, numbered mesh).
  nose: Object.freeze([168, 417, 351, 419, 248, 281, 275, 440, 344, 278, 294, 327, 326, 2, 97, 98, 64, 48, 115, 220, 45, 51, 3, 196, 122, 193]),
  // Outer lip line: lower lip corner→corner, then the upper lip back.
  mouth: Object.freeze([61, 146, 91, 181, 84, 17, 314, 405, 321, 375, 291, 409, 270, 269, 267, 0, 37, 39, 40, 185]),
});

/**
 * A region's polygon in frame pixels.
 * @param landmarks 468 x,y,z triples
 * @returns flat x,y pairs, one per outline index
 */
export function regionPolygon(landmarks: Float32Array, region: FaceRegion): Float32Array {
  const idx = FACE_REGIONS[region];
  const out = new Float32Array(idx.length * 2);
  idx.forEach((i, k) => {
    out[2 * k] = landmarks[3 * i];
    out[2 * k + 1] = landmarks[3 * i + 1];
  });
  return out;
}

/**
 * Fills a closed polygon (even-odd rule): a pixel is in when its centre is inside.
 * @param points flat x,y pairs in mask pixels; the last vertex joins the first
 * @param width mask width, px (integer >= 0)
 * @param height mask height, px (integer >= 0)
 * @returns width*height bytes, 1 inside, 0 outside; vertices may lie outside the mask
 * @example rasterizePolygon([0,0, 4,0, 4,2, 0,2], 4, 3) // rows 0–1 all 1, row 2 all 0
 */
export function rasterizePolygon(points: ArrayLike<number>, width: number, height: number): Uint8Array {
  const mask = new Uint8Array(width * height);
  const n = Math.floor(points.length / 2);
  if (n < 3) return mask;
  const xs: number[] = [];
  for (let j = 0; j < height; j++) {
    const y = j + 0.5;
    xs.length = 0;
    for (let a = 0, b = n - 1; a < n; b = a++) {
      const ya = points[2 * a + 1], yb = points[2 * b + 1];
      // Half-open in y so a vertex shared by two edges is counted once.
      if (ya <= y === yb <= y) continue;
      const xa = points[2 * a], xb = points[2 * b];
      xs.push(xa + ((y - ya) * (xb - xa)) / (yb - ya));
    }
    xs.sort((p, q) => p - q);
    for (let k = 0; k + 1 < xs.length; k += 2) {
      // Pixel i is in when xs[k] <= i + 0.5 < xs[k+1].
      const i0 = Math.max(0, Math.ceil(xs[k] - 0.5));
      const i1 = Math.min(width, Math.ceil(xs[k + 1] - 0.5));
      if (i1 > i0) mask.fill(1, j * width + i0, j * width + i1);
    }
  }
  return mask;
}
