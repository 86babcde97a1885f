/**
 * Moving a face between a frame and the model's square crop: read the crop through the alignment warp
 * (yuv420p or rgb24 → NCHW RGB in [−1, 1]), build its masks, and write a generated crop back through the
 * inverse warp, feather-blended by a soft mask and converted back to the frame's format. Pure (in-place on
 * the frame passed in).
 */
import { bitmapMask, maskContains, pixelRect, planeMask, type RegionMask } from '../anonymize/region-mask.js';
import { framePlanes, type Frame } from '../frame.js';
import { rasterizePolygon } from '../track/face-regions.js';
import type { Box } from '../track/geometry.js';
import { invertAffine, sampleRgb, type Affine } from '../track/image-sampler.js';

/** @returns size×size RGB as NCHW planes in [−1, 1], the layout codecs and encoders take */
export function readCrop(frame: Frame, affine: Affine, size: number): Float32Array {
  const hwc = sampleRgb(frame, size, size, affine);
  const n = size * size;
  const out = new Float32Array(3 * n);
  for (let i = 0; i < n; i++) for (let c = 0; c < 3; c++) out[c * n + i] = hwc[3 * i + c] * 2 - 1;
  return out;
}

/** Side of the soft blend mask: it is smooth, so 128² carries it for any crop size at a fraction of the cost. */
export const BLEND_MASK_SIZE = 128;

/**
 * A soft mask over the crop, at BLEND_MASK_SIZE²: the polygon filled, then feathered by three box blurs
 * (≈ Gaussian of σ ≈ `feather` of the crop side), so alpha is ½ on the outline and reaches 1 about 2σ inside.
 * @param polygon flat x,y pairs in crop pixels
 * @param feather σ as a fraction of the crop side
 * @returns BLEND_MASK_SIZE² alphas in [0, 1]
 */
export function featherMask(polygon: Float32Array, cropSize: number, feather: number): Float32Array {
  const m = BLEND_MASK_SIZE;
  const a = Float32Array.from(rasterizePolygon(polygon.map((v) => (v * m) / cropSize), m, m));
  const r = Math.max(1, Math.round(feather * m));
  const tmp = new Float32Array(m);
  for (let pass = 0; pass < 3; pass++) {
    for (let j = 0; j < m; j++) boxBlurLine(a, j * m, 1, m, r, tmp);
    for (let i = 0; i < m; i++) boxBlurLine(a, i, m, m, r, tmp);
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
 * The feathered mask seen from the frame: the frame window it can touch, and its alpha at any frame point
 * (bilinear on the mask grid), leaving that point's crop coordinates in `u`, `v`.
 */
class BlendMap {
  readonly x0: number;
  readonly y0: number;
  readonly x1: number;
  readonly y1: number;
  u = 0;
  v = 0;
  private readonly inv: Affine;
  private readonly toMask: number;

  constructor(width: number, height: number, affine: Affine, private readonly alpha: Float32Array, size: number) {
    this.inv = invertAffine(affine);
    const m = BLEND_MASK_SIZE;
    this.toMask = m / size;
    // Only the frame pixels over the mask's non-zero rectangle (the face oval is a third of the crop).
    let i0 = m, i1 = -1, j0 = m, j1 = -1;
    for (let j = 0; j < m; j++) {
      for (let i = 0; i < m; i++) {
        if (alpha[j * m + i] <= 0) continue;
        if (i < i0) i0 = i;
        if (i > i1) i1 = i;
        if (j < j0) j0 = j;
        if (j > j1) j1 = j;
      }
    }
    const k = 1 / this.toMask;
    const corners = i1 < 0 ? [] : [[i0 * k, j0 * k], [(i1 + 1) * k, j0 * k], [i0 * k, (j1 + 1) * k], [(i1 + 1) * k, (j1 + 1) * k]].map(([u, v]) => [affine.a * u + affine.b * v + affine.c, affine.d * u + affine.e * v + affine.f]);
    this.x0 = Math.max(0, Math.floor(Math.min(...corners.map((p) => p[0]))));
    this.y0 = Math.max(0, Math.floor(Math.min(...corners.map((p) => p[1]))));
    this.x1 = Math.min(width, Math.ceil(Math.max(...corners.map((p) => p[0]))));
    this.y1 = Math.min(height, Math.ceil(Math.max(...corners.map((p) => p[1]))));
  }

  /** Alpha at frame point (fx, fy), 0 outside the mask (below 1e-3 counts as outside). */
  alphaAt(fx: number, fy: number): number {
    const inv = this.inv, m = BLEND_MASK_SIZE, alpha = this.alpha;
    this.u = inv.a * fx + inv.b * fy + inv.c;
    this.v = inv.d * fx + inv.e * fy + inv.f;
    const mu = this.u * this.toMask - 0.5, mv = this.v * this.toMask - 0.5;
    if (!(mu >= 0 && mv >= 0 && mu <= m - 1 && mv <= m - 1)) return 0;
    const mi = Math.floor(mu), mj = Math.floor(mv), tu = mu - mi, tv = mv - mj;
    const mi1 = mi + 1 < m ? mi + 1 : mi, mj1 = mj + 1 < m ? mj + 1 : mj;
    const a = (alpha[mj * m + mi] * (1 - tu) + alpha[mj * m + mi1] * tu) * (1 - tv) + (alpha[mj1 * m + mi] * (1 - tu) + alpha[mj1 * m + mi1] * tu) * tv;
    return a <= 1e-3 ? 0 : a > 1 ? 1 : a;
  }
}

/**
 * Every frame pixel a paste with this mask may change, plus the pixels of `cover` (the face box, which the
 * fallback blur may change instead), as one row span per row: what a mode declares before it runs.
 */
export function blendRegion(frame: Pick<Frame, 'width' | 'height'>, affine: Affine, alpha: Float32Array, size: number, cover: Box): RegionMask | undefined {
  const map = new BlendMap(frame.width, frame.height, affine, alpha, size);
  const box = pixelRect(cover, frame.width, frame.height);
  const x0 = Math.min(map.x0, box?.x ?? Infinity), y0 = Math.min(map.y0, box?.y ?? Infinity);
  const x1 = Math.max(map.x1, box ? box.x + box.width : -Infinity), y1 = Math.max(map.y1, box ? box.y + box.height : -Infinity);
  if (!(x1 > x0 && y1 > y0)) return undefined;
  const w = x1 - x0, h = y1 - y0;
  const bitmap = new Uint8Array(w * h);
  for (let y = y0; y < y1; y++) {
    for (let x = x0; x < x1; x++) {
      const inBox = box !== undefined && x >= box.x && x < box.x + box.width && y >= box.y && y < box.y + box.height;
      if (inBox || map.alphaAt(x + 0.5, y + 0.5) > 0) bitmap[(y - y0) * w + (x - x0)] = 1;
    }
  }
  return bitmapMask({ x: x0, y: y0, width: w, height: h }, bitmap);
}

/**
 * Writes `crop` into the frame where `alpha` > 0: frame = alpha·crop + (1 − alpha)·frame. yuv420p chroma
 * is blended at its own resolution from the crop sampled at each chroma pixel's centre.
 * @param affine crop pixel → frame pixel (the one readCrop used, or the current frame's for a reused crop)
 * @param crop NCHW RGB in [−1, 1], size×size (values outside are clamped)
 * @param alpha featherMask's BLEND_MASK_SIZE² map over the crop
 * @param within when given, no pixel outside it (or its projection on chroma planes) is written
 */
export function pasteCropInPlace(frame: Frame, affine: Affine, crop: Float32Array, alpha: Float32Array, size: number, within?: RegionMask): void {
  const map = new BlendMap(frame.width, frame.height, affine, alpha, size);
  const n = size * size;
  const rgb = new Float32Array(3);
  /** Alpha at frame point (fx, fy); when > 0, the crop's colour in [0, 1] is left in rgb. */
  const sample = (fx: number, fy: number): number => {
    const a = map.alphaAt(fx, fy);
    if (a <= 0) return 0;
    const u = Math.min(size - 1, Math.max(0, map.u - 0.5)), v = Math.min(size - 1, Math.max(0, map.v - 0.5));
    const i0 = Math.floor(u), j0 = Math.floor(v), su = u - i0, sv = v - j0;
    const i1 = i0 + 1 < size ? i0 + 1 : i0, j1 = j0 + 1 < size ? j0 + 1 : j0;
    const p00 = j0 * size + i0, p10 = j0 * size + i1, p01 = j1 * size + i0, p11 = j1 * size + i1;
    for (let c = 0, o = 0; c < 3; c++, o += n) {
      const s = (crop[o + p00] * (1 - su) + crop[o + p10] * su) * (1 - sv) + (crop[o + p01] * (1 - su) + crop[o + p11] * su) * sv;
      rgb[c] = s <= -1 ? 0 : s >= 1 ? 1 : (s + 1) / 2;
    }
    return a;
  };
  const { x0, y0, x1, y1 } = map;
  const planes = framePlanes(frame);
  if (frame.format === 'rgb24') {
    const d = planes[0].data;
    for (let y = y0; y < y1; y++) {
      for (let x = x0; x < x1; x++) {
        if (within && !maskContains(within, x, y)) continue;
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
      if (within && !maskContains(within, x, y)) continue;
      const a = sample(x + 0.5, y + 0.5);
      if (a <= 0) continue;
      const o = y * Y.width + x;
      const luma = 16 + 65.481 * rgb[0] + 128.553 * rgb[1] + 24.966 * rgb[2];
      Y.data[o] = Math.round(a * luma + (1 - a) * Y.data[o]);
    }
  }
  const chromaWithin = within && planeMask(within, U);
  for (let cy = y0 >> 1; cy < Math.min(U.height, (y1 + 1) >> 1); cy++) {
    for (let cx = x0 >> 1; cx < Math.min(U.width, (x1 + 1) >> 1); cx++) {
      if (chromaWithin && !maskContains(chromaWithin, cx, cy)) continue;
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
