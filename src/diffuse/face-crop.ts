/**
 * Moving a face between a frame and the model's square crop: read the crop through the alignment warp
 * (yuv420p or rgb24 → NCHW RGB in [−1, 1]), build its masks, and write a generated crop back through the
 * inverse warp, feather-blended by a soft mask and converted back to the frame's format. Pure (in-place on
 * the frame passed in).
 */
import { framePlanes, type Frame } from '../frame.js';
import { rasterizePolygon } from '../track/face-regions.js';
import { invertAffine, sampleRgb, type Affine } from '../track/image-sampler.js';

/** @returns size×size RGB as NCHW planes in [−1, 1], the layout codecs and encoders take */
export function readCrop(frame: Frame, affine: Affine, size: number): Float32Array {
  const hwc = sampleRgb(frame, size, size, affine);
  const n = size * size;
  const out = new Float32Array(3 * n);
  for (let i = 0; i < n; i++) for (let c = 0; c < 3; c++) out[c * n + i] = hwc[3 * i + c] * 2 - 1;
  return out;
}

/**
 * A soft mask over the crop: the polygon filled, then feathered by three box blurs (≈ Gaussian of σ ≈
 * `feather`), so alpha is ½ on the outline and reaches 1 about 2σ inside it.
 * @param polygon flat x,y pairs in crop pixels
 * @returns size×size alphas in [0, 1]
 */
export function featherMask(polygon: Float32Array, size: number, feather: number): Float32Array {
  const hard = rasterizePolygon(polygon, size, size);
  const a = Float32Array.from(hard);
  const r = Math.max(1, Math.round(feather));
  const tmp = new Float32Array(size);
  for (let pass = 0; pass < 3; pass++) {
    for (let j = 0; j < size; j++) boxBlurLine(a, j * size, 1, size, r, tmp);
    for (let i = 0; i < size; i++) boxBlurLine(a, i, size, size, r, tmp);
  }
  return a;
}

/**
 * The polygon on the latent grid: a latent cell is in when any crop pixel it covers is in the polygon, so
 * the region the model regenerates holds everything the blend shows.
 * @param polygon flat x,y pairs in crop pixels
 * @returns height×width bytes, 1 = regenerate
 */
export function latentMask(polygon: Float32Array, cropSize: number, width: number, height: number): Uint8Array {
  const hard = rasterizePolygon(polygon, cropSize, cropSize);
  const out = new Uint8Array(width * height);
  for (let y = 0; y < cropSize; y++) {
    const ly = Math.min(height - 1, Math.floor((y * height) / cropSize));
    for (let x = 0; x < cropSize; x++) if (hard[y * cropSize + x]) out[ly * width + Math.min(width - 1, Math.floor((x * width) / cropSize))] = 1;
  }
  return out;
}

/**
 * Writes `crop` into the frame where `alpha` > 0: frame = alpha·crop + (1 − alpha)·frame. yuv420p chroma
 * is blended at its own resolution from the crop sampled at each chroma pixel's centre.
 * @param affine crop pixel → frame pixel (the one readCrop used, or the current frame's for a reused crop)
 * @param crop NCHW RGB in [−1, 1], size×size (values outside are clamped)
 * @param alpha size×size in [0, 1]
 */
export function pasteCropInPlace(frame: Frame, affine: Affine, crop: Float32Array, alpha: Float32Array, size: number): void {
  const inv = invertAffine(affine);
  const corners = [[0, 0], [size, 0], [0, size], [size, size]].map(([u, v]) => [affine.a * u + affine.b * v + affine.c, affine.d * u + affine.e * v + affine.f]);
  const x0 = Math.max(0, Math.floor(Math.min(...corners.map((p) => p[0]))));
  const y0 = Math.max(0, Math.floor(Math.min(...corners.map((p) => p[1]))));
  const x1 = Math.min(frame.width, Math.ceil(Math.max(...corners.map((p) => p[0]))));
  const y1 = Math.min(frame.height, Math.ceil(Math.max(...corners.map((p) => p[1]))));
  const n = size * size;
  const rgb = [0, 0, 0];
  /** Crop alpha at frame point (fx, fy), filling rgb; 0 outside the crop. */
  const sample = (fx: number, fy: number): number => {
    const u = inv.a * fx + inv.b * fy + inv.c - 0.5, v = inv.d * fx + inv.e * fy + inv.f - 0.5;
    if (u < 0 || v < 0 || u > size - 1 || v > size - 1) return 0;
    const i0 = Math.floor(u), j0 = Math.floor(v);
    const i1 = Math.min(size - 1, i0 + 1), j1 = Math.min(size - 1, j0 + 1);
    const tu = u - i0, tv = v - j0;
    const w00 = (1 - tu) * (1 - tv), w10 = tu * (1 - tv), w01 = (1 - tu) * tv, w11 = tu * tv;
    const p00 = j0 * size + i0, p10 = j0 * size + i1, p01 = j1 * size + i0, p11 = j1 * size + i1;
    const a = w00 * alpha[p00] + w10 * alpha[p10] + w01 * alpha[p01] + w11 * alpha[p11];
    if (a <= 0) return 0;
    for (let c = 0; c < 3; c++) {
      const o = c * n;
      const s = w00 * crop[o + p00] + w10 * crop[o + p10] + w01 * crop[o + p01] + w11 * crop[o + p11];
      rgb[c] = Math.min(1, Math.max(0, (s + 1) / 2));
    }
    return a;
  };
  const planes = framePlanes(frame);
  if (frame.format === 'rgb24') {
    const d = planes[0].data;
    for (let y = y0; y < y1; y++) {
      for (let x = x0; x < x1; x++) {
        const a = sample(x + 0.5, y + 0.5);
        if (a <= 0) continue;
        const o = (y * frame.width + x) * 3;
        for (let c = 0; c < 3; c++) d[o + c] = Math.round(a * 255 * rgb[c] + (1 - a) * d[o + c]);
      }
    }
    return;
  }
  // BT.601 limited range, the inverse of image-sampler.ts's YUV→RGB.
  const [Y, U, V] = planes;
  for (let y = y0; y < y1; y++) {
    for (let x = x0; x < x1; x++) {
      const a = sample(x + 0.5, y + 0.5);
      if (a <= 0) continue;
      const o = y * Y.width + x;
      const luma = 16 + 65.481 * rgb[0] + 128.553 * rgb[1] + 24.966 * rgb[2];
      Y.data[o] = Math.round(a * luma + (1 - a) * Y.data[o]);
    }
  }
  for (let cy = y0 >> 1; cy < Math.min(U.height, (y1 + 1) >> 1); cy++) {
    for (let cx = x0 >> 1; cx < Math.min(U.width, (x1 + 1) >> 1); cx++) {
      // A chroma sample covers frame pixels 2c..2c+1: its centre is at 2c + 1.
      const a = sample(2 * cx + 1, 2 * cy + 1);
      if (a <= 0) continue;
      const o = cy * U.width + cx;
      const cb = 128 - 37.797 * rgb[0] - 74.203 * rgb[1] + 112 * rgb[2];
      const cr = 128 + 112 * rgb[0] - 93.786 * rgb[1] - 18.214 * rgb[2];
      U.data[o] = Math.round(a * cb + (1 - a) * U.data[o]);
      V.data[o] = Math.round(a * cr + (1 - a) * V.data[o]);
    }
  }
}

/** Box blur of radius r along one line of `a` (start, stride, n), edges clamped. */
function boxBlurLine(a: Float32Array, start: number, stride: number, n: number, r: number, tmp: Float32Array): void {
  for (let i = 0; i < n; i++) tmp[i] = a[start + i * stride];
  let sum = 0;
  const at = (i: number): number => tmp[i < 0 ? 0 : i >= n ? n - 1 : i];
  for (let i = -r; i <= r; i++) sum += at(i);
  for (let i = 0; i < n; i++) {
    a[start + i * stride] = sum / (2 * r + 1);
    sum += at(i + r + 1) - at(i - r);
  }
}
