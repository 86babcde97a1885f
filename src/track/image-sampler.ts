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
        // BT.601 limited range: what libswscale assumes for untagged SD/HD input; the detector does not
        // care about the small 601/709 difference.
        const c = (Y - 16) * 1.164383;
        const d = U - 128, e = V - 128;
        out[o] = clamp01((c + 1.596027 * e) / 255);
        out[o + 1] = clamp01((c - 0.391762 * d - 0.812968 * e) / 255);
        out[o + 2] = clamp01((c + 2.017232 * d) / 255);
      }
    }
  }
  return out;
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
