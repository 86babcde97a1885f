/**
 * Reads model inputs straight out of a frame: an affine map from output pixels to frame pixels, bilinear
 * sampling, YUV→RGB on the fly. One pass, no full-frame conversion or resize (a 1080p rgb24 copy
 * alone costs more than a 256² model input), and rotation-aligned crops come for free. Pure.
 */
import { framePlanes, type Frame } from '../frame.js';
import type { Box } from './geometry.js';

/** frame = [a b c; d e f] · [u v 1]ᵀ for an output pixel centre (u, v). */
export interface Affine {
  readonly a: number;
  readonly b: number;
  readonly c: number;
  readonly d: number;
  readonly e: number;
  readonly f: number;
}

/** Maps an outW×outH image onto `box` (axis-aligned stretch). */
export function boxAffine(box: Box, outW: number, outH: number): Affine {
  const sx = box.width / outW;
  const sy = box.height / outH;
  return { a: sx, b: 0, c: box.x, d: 0, e: sy, f: box.y };
}

/** Maps output pixels through rotation `angle` (radians, counter-clockwise in image coords) about the box centre. */
export function rotatedBoxAffine(box: Box, outW: number, outH: number, angle: number): Affine {
  const sx = box.width / outW;
  const sy = box.height / outH;
  const cos = Math.cos(angle), sin = Math.sin(angle);
  const cx = box.x + box.width / 2, cy = box.y + box.height / 2;
  // frame = centre + R · S · (uv - out/2)
  const a = cos * sx, b = -sin * sy, d = sin * sx, e = cos * sy;
  return { a, b, c: cx - a * (outW / 2) - b * (outH / 2), d, e, f: cy - d * (outW / 2) - e * (outH / 2) };
}

/** Frame pixel for an output pixel (u, v). */
export function applyAffine(m: Affine, u: number, v: number): [number, number] {
  return [m.a * u + m.b * v + m.c, m.d * u + m.e * v + m.f];
}

/** Output pixel for a frame pixel (inverse map). */
export function invertAffine(m: Affine): Affine {
  const det = m.a * m.e - m.b * m.d;
  const a = m.e / det, b = -m.b / det, d = -m.d / det, e = m.a / det;
  return { a, b, c: -(a * m.c + b * m.f), d, e, f: -(d * m.c + e * m.f) };
}

/** How sampleRgb writes its values; the defaults give RGB in [0,1] with the edge pixel read outside the frame. */
export interface SampleOptions {
  /** Values are rgb01 · scale + offset, so a model's input range needs no second pass. Default 1. */
  readonly scale?: number;
  /** Default 0. */
  readonly offset?: number;
  /**
   * Written, as is, to all three channels of output pixels whose centre maps outside the frame, in place
   * of the nearest edge pixel (a letterbox). Default: none, edge pixels are read.
   */
  readonly outside?: number;
}

/**
 * Samples an RGB image of outW×outH from `frame` through `affine`, interleaved (HWC), values in [0,1]
 * unless `options` say otherwise. Pixels that map outside the frame read the nearest edge pixel, or take
 * `options.outside`.
 * @param into written entirely and returned, instead of a new array (outW·outH·3 floats)
 */
export function sampleRgb(frame: Frame, outW: number, outH: number, affine: Affine, options: SampleOptions = {}, into?: Float32Array): Float32Array {
  if (into && into.length !== outW * outH * 3) throw new RangeError(`sampleRgb: into holds ${into.length} floats, ${outW}x${outH} RGB needs ${outW * outH * 3}`);
  const out = into ?? new Float32Array(outW * outH * 3);
  const k = (options.scale ?? 1) / 255, offset = options.offset ?? 0;
  if (affine.b === 0 && affine.d === 0) sampleAxisAligned(frame, affine, out, outW, outH, k, offset, options.outside);
  else sampleGeneral(frame, affine, out, outW, outH, k, offset, options.outside);
  return out;
}

/** Any affine, rotations included: the whole map is evaluated per pixel. */
function sampleGeneral(frame: Frame, m: Affine, out: Float32Array, outW: number, outH: number, k: number, offset: number, outside: number | undefined): void {
  const [y, u, v] = framePlanes(frame);
  const W = frame.width, H = frame.height;
  const rgb = frame.format === 'rgb24';
  for (let j = 0; j < outH; j++) {
    for (let i = 0; i < outW; i++) {
      const cx = m.a * (i + 0.5) + m.b * (j + 0.5) + m.c;
      const cy = m.d * (i + 0.5) + m.e * (j + 0.5) + m.f;
      const o = (j * outW + i) * 3;
      if (outside !== undefined && !(cx >= 0 && cx < W && cy >= 0 && cy < H)) {
        out[o] = out[o + 1] = out[o + 2] = outside;
        continue;
      }
      // -0.5: from pixel centres to sample positions, so a pure scale maps centre to centre.
      const fx = cx - 0.5, fy = cy - 0.5;
      if (rgb) {
        for (let ch = 0; ch < 3; ch++) out[o + ch] = bilinear(y.data, W, H, 3, ch, fx, fy) * k + offset;
      } else {
        const Y = bilinear(y.data, W, H, 1, 0, fx, fy);
        // Chroma sits at half resolution: centre cx maps to cx / 2, so sample position cx / 2 - 0.5.
        const U = bilinear(u.data, u.width, u.height, 1, 0, cx / 2 - 0.5, cy / 2 - 0.5);
        const V = bilinear(v.data, v.width, v.height, 1, 0, cx / 2 - 0.5, cy / 2 - 0.5);
        yuvToRgbInto(out, o, Y, U, V, k, offset);
      }
    }
  }
}

/**
 * Bilinear taps along one axis into slot `slot` (0: luma or RGB, 1: chroma) of interleaved tables:
 * idx[4i + 2·slot + 0/1] = base + source index · step for the two neighbours, weight[2i + slot] = t.
 * Edges are clamped.
 */
function axisTaps(idx: Int32Array, weight: Float64Array, slot: number, scale: number, offset: number, size: number, step: number, base: number): void {
  for (let i = 0; i < weight.length / 2; i++) {
    let f = scale * (i + 0.5) + offset - 0.5;
    f = f < 0 ? 0 : f > size - 1 ? size - 1 : f;
    const f0 = Math.floor(f);
    idx[4 * i + 2 * slot] = base + f0 * step;
    idx[4 * i + 2 * slot + 1] = base + (f0 + 1 < size ? f0 + 1 : f0) * step;
    weight[2 * i + slot] = f - f0;
  }
}

/**
 * Outputs [lo, hi) along one axis whose pixel centre maps inside [0, size): one run, the map being linear.
 * Without an outside value every output counts as inside.
 */
function insideSpan(n: number, scale: number, offset: number, size: number, outside: number | undefined): [number, number] {
  if (outside === undefined) return [0, n];
  let lo = n, hi = 0;
  for (let i = 0; i < n; i++) {
    const f = scale * (i + 0.5) + offset;
    if (f >= 0 && f < size) {
      lo = Math.min(lo, i);
      hi = i + 1;
    }
  }
  return lo < hi ? [lo, hi] : [0, 0];
}

/**
 * sampleRgb for maps without rotation (every detector tile): the taps are separable, so offsets and
 * weights are computed once per row and column, and the inner loops (one per format) only read and blend.
 * All planes are read through the one frame buffer (plane offsets folded into the taps) and the taps are
 * interleaved: V8 checks every typed array an iteration touches, and four instead of ten measured 20%
 * faster. Per 256² input from a 1080p yuv420p frame this measured 1.24 → 0.82 ms for a 439 px tile and
 * 1.32 → 0.95 ms for the whole frame; with the detector's scale and letterbox, which replace its two extra
 * passes, 1.46 → 0.83 and 1.57 → 0.50 ms. The test checks it matches the general path.
 */
function sampleAxisAligned(frame: Frame, m: Affine, out: Float32Array, outW: number, outH: number, k: number, offset: number, outside: number | undefined): void {
  const [y, u] = framePlanes(frame);
  const W = frame.width, H = frame.height, data = frame.data;
  const rgb = frame.format === 'rgb24';
  const cols = new Int32Array(4 * outW), colT = new Float64Array(2 * outW);
  const rows = new Int32Array(4 * outH), rowT = new Float64Array(2 * outH);
  axisTaps(cols, colT, 0, m.a, m.c, W, y.channels, 0);
  axisTaps(rows, rowT, 0, m.e, m.f, H, W * y.channels, 0);
  if (!rgb) {
    // Chroma sits at half resolution: sample position f maps to (f + 0.5) / 2 - 0.5. U follows Y, V follows U.
    axisTaps(cols, colT, 1, m.a / 2, m.c / 2, u.width, 1, 0);
    axisTaps(rows, rowT, 1, m.e / 2, m.f / 2, u.height, u.width, y.data.length);
  }
  const vOffset = rgb ? 0 : u.data.length;
  const [xLo, xHi] = insideSpan(outW, m.a, m.c, W, outside), [yLo, yHi] = insideSpan(outH, m.e, m.f, H, outside);
  const fill = outside ?? 0;
  for (let j = 0; j < outH; j++) {
    const row = j * outW * 3;
    if (j < yLo || j >= yHi) {
      out.fill(fill, row, row + outW * 3);
      continue;
    }
    out.fill(fill, row, row + xLo * 3);
    out.fill(fill, row + xHi * 3, row + outW * 3);
    const r0 = rows[4 * j], r1 = rows[4 * j + 1], ty = rowT[2 * j], sy = 1 - ty;
    if (rgb) {
      for (let i = xLo, o = row + xLo * 3; i < xHi; i++, o += 3) {
        const x0 = cols[4 * i], x1 = cols[4 * i + 1], tx = colT[2 * i];
        for (let ch = 0; ch < 3; ch++) {
          const a = data[r0 + x0 + ch], b = data[r0 + x1 + ch], e = data[r1 + x0 + ch], f = data[r1 + x1 + ch];
          out[o + ch] = ((a + (b - a) * tx) * sy + (e + (f - e) * tx) * ty) * k + offset;
        }
      }
      continue;
    }
    const cr0 = rows[4 * j + 2], cr1 = rows[4 * j + 3], cty = rowT[2 * j + 1], csy = 1 - cty;
    for (let i = xLo, o = row + xLo * 3; i < xHi; i++, o += 3) {
      const x0 = cols[4 * i], x1 = cols[4 * i + 1], tx = colT[2 * i];
      const a = data[r0 + x0], b = data[r0 + x1], e = data[r1 + x0], f = data[r1 + x1];
      const Y = (a + (b - a) * tx) * sy + (e + (f - e) * tx) * ty;
      const cx0 = cols[4 * i + 2], cx1 = cols[4 * i + 3], ctx = colT[2 * i + 1];
      const p0 = cr0 + cx0, p1 = cr0 + cx1, q0 = cr1 + cx0, q1 = cr1 + cx1;
      const ua = data[p0], ub = data[p1], ue = data[q0], uf = data[q1];
      const va = data[p0 + vOffset], vb = data[p1 + vOffset], ve = data[q0 + vOffset], vf = data[q1 + vOffset];
      const U = (ua + (ub - ua) * ctx) * csy + (ue + (uf - ue) * ctx) * cty;
      const V = (va + (vb - va) * ctx) * csy + (ve + (vf - ve) * ctx) * cty;
      yuvToRgbInto(out, o, Y, U, V, k, offset);
    }
  }
}

/**
 * BT.601 limited range: what libswscale assumes for untagged SD/HD input; the detector does not care
 * about the small 601/709 difference. Writes RGB in [0,255] · k + offset at out[o..o+2].
 */
function yuvToRgbInto(out: Float32Array, o: number, Y: number, U: number, V: number, k: number, offset: number): void {
  const c = (Y - 16) * 1.164383;
  const d = U - 128, e = V - 128;
  out[o] = clamp255(c + 1.596027 * e) * k + offset;
  out[o + 1] = clamp255(c - 0.391762 * d - 0.812968 * e) * k + offset;
  out[o + 2] = clamp255(c + 2.017232 * d) * k + offset;
}

function clamp255(x: number): number {
  return x < 0 ? 0 : x > 255 ? 255 : x;
}

function bilinear(data: Buffer, w: number, h: number, channels: number, ch: number, x: number, y: number): number {
  if (x < 0) x = 0; else if (x > w - 1) x = w - 1;
  if (y < 0) y = 0; else if (y > h - 1) y = h - 1;
  const x0 = Math.floor(x), y0 = Math.floor(y);
  const x1 = x0 + 1 < w ? x0 + 1 : x0, y1 = y0 + 1 < h ? y0 + 1 : y0;
  const tx = x - x0, ty = y - y0;
  const r0 = y0 * w, r1 = y1 * w;
  const p00 = data[(r0 + x0) * channels + ch], p10 = data[(r0 + x1) * channels + ch];
  const p01 = data[(r1 + x0) * channels + ch], p11 = data[(r1 + x1) * channels + ch];
  return (p00 * (1 - tx) + p10 * tx) * (1 - ty) + (p01 * (1 - tx) + p11 * tx) * ty;
}
