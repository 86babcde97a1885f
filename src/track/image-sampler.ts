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

/**
 * Samples an RGB image of outW×outH from `frame` through `affine`, values in [0,1], interleaved (HWC).
 * Pixels that map outside the frame read the nearest edge pixel.
 */
export function sampleRgb(frame: Frame, outW: number, outH: number, affine: Affine): Float32Array {
  if (affine.b === 0 && affine.d === 0) return sampleRgbAxisAligned(frame, outW, outH, affine);
  const out = new Float32Array(outW * outH * 3);
  const planes = framePlanes(frame);
  const W = frame.width, H = frame.height;
  const rgb = frame.format === 'rgb24';
  const [y, u, v] = planes;
  for (let j = 0; j < outH; j++) {
    for (let i = 0; i < outW; i++) {
      // +0.5/-0.5: pixel centres, so a pure scale maps centre to centre.
      const fx = affine.a * (i + 0.5) + affine.b * (j + 0.5) + affine.c - 0.5;
      const fy = affine.d * (i + 0.5) + affine.e * (j + 0.5) + affine.f - 0.5;
      const o = (j * outW + i) * 3;
      if (rgb) {
        for (let ch = 0; ch < 3; ch++) out[o + ch] = bilinear(y.data, W, H, 3, ch, fx, fy) / 255;
      } else {
        const Y = bilinear(y.data, W, H, 1, 0, fx, fy);
        const U = bilinear(u.data, u.width, u.height, 1, 0, (fx + 0.5) / 2 - 0.5, (fy + 0.5) / 2 - 0.5);
        const V = bilinear(v.data, v.width, v.height, 1, 0, (fx + 0.5) / 2 - 0.5, (fy + 0.5) / 2 - 0.5);
        yuvToRgbInto(out, o, Y, U, V);
      }
    }
  }
  return out;
}

/** Bilinear taps along one axis: for output i, source indices i0/i1 and weight t, edges clamped. */
function axisTaps(n: number, scale: number, offset: number, size: number): { i0: Int32Array; i1: Int32Array; t: Float32Array } {
  const i0 = new Int32Array(n), i1 = new Int32Array(n), t = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    let f = scale * (i + 0.5) + offset - 0.5;
    f = f < 0 ? 0 : f > size - 1 ? size - 1 : f;
    i0[i] = Math.floor(f);
    i1[i] = i0[i] + 1 < size ? i0[i] + 1 : i0[i];
    t[i] = f - i0[i];
  }
  return { i0, i1, t };
}

/**
 * sampleRgb for maps without rotation (every detector tile): the taps are separable, so they are
 * computed once per row and column. A prototype of this measured 7.9 → 2.3 ms per 256² tile from
 * yuv420p; the test checks it matches the general path.
 */
function sampleRgbAxisAligned(frame: Frame, outW: number, outH: number, m: Affine): Float32Array {
  const out = new Float32Array(outW * outH * 3);
  const [y, u, v] = framePlanes(frame);
  const W = frame.width, H = frame.height;
  const xs = axisTaps(outW, m.a, m.c, W), ys = axisTaps(outH, m.e, m.f, H);
  const rgb = frame.format === 'rgb24';
  // Chroma sits at half resolution: frame coordinate f maps to (f + 0.5) / 2 - 0.5.
  const cxs = rgb ? xs : axisTaps(outW, m.a / 2, m.c / 2, u.width), cys = rgb ? ys : axisTaps(outH, m.e / 2, m.f / 2, u.height);
  const lerp2 = (d: Buffer, w: number, c: number, ch: number, r0: number, r1: number, ty: number, x0: number, x1: number, tx: number): number => {
    const a = d[(r0 * w + x0) * c + ch], b = d[(r0 * w + x1) * c + ch];
    const e = d[(r1 * w + x0) * c + ch], f = d[(r1 * w + x1) * c + ch];
    return (a + (b - a) * tx) * (1 - ty) + (e + (f - e) * tx) * ty;
  };
  for (let j = 0; j < outH; j++) {
    const r0 = ys.i0[j], r1 = ys.i1[j], ty = ys.t[j];
    const cr0 = cys.i0[j], cr1 = cys.i1[j], cty = cys.t[j];
    for (let i = 0; i < outW; i++) {
      const o = (j * outW + i) * 3;
      const x0 = xs.i0[i], x1 = xs.i1[i], tx = xs.t[i];
      if (rgb) {
        for (let ch = 0; ch < 3; ch++) out[o + ch] = lerp2(y.data, W, 3, ch, r0, r1, ty, x0, x1, tx) / 255;
        continue;
      }
      const Y = lerp2(y.data, W, 1, 0, r0, r1, ty, x0, x1, tx);
      const cx0 = cxs.i0[i], cx1 = cxs.i1[i], ctx = cxs.t[i];
      const U = lerp2(u.data, u.width, 1, 0, cr0, cr1, cty, cx0, cx1, ctx);
      const V = lerp2(v.data, v.width, 1, 0, cr0, cr1, cty, cx0, cx1, ctx);
      yuvToRgbInto(out, o, Y, U, V);
    }
  }
  return out;
}

/**
 * BT.601 limited range: what libswscale assumes for untagged SD/HD input; the detector does not care
 * about the small 601/709 difference. Writes RGB in [0,1] at out[o..o+2].
 */
function yuvToRgbInto(out: Float32Array, o: number, Y: number, U: number, V: number): void {
  const c = (Y - 16) * 1.164383;
  const d = U - 128, e = V - 128;
  out[o] = clamp01((c + 1.596027 * e) / 255);
  out[o + 1] = clamp01((c - 0.391762 * d - 0.812968 * e) / 255);
  out[o + 2] = clamp01((c + 2.017232 * d) / 255);
}

function clamp01(x: number): number {
  return x < 0 ? 0 : x > 1 ? 1 : x;
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
