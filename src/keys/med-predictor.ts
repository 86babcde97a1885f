/**
 * Lossless prediction for packed region pixels (region-pixels.ts), so deflate sees small residuals instead
 * of raw pixels: each byte is predicted from its left, upper and upper-left neighbours inside the mask
 * with the median edge detector of LOCO-I / JPEG-LS, and replaced by (value − prediction) mod 256. Pure.
 */
import { framePlanes, type Frame } from '../frame.js';
import { planeMask, type RegionMask } from '../anonymize/region-mask.js';

type FrameLayout = Pick<Frame, 'format' | 'width' | 'height'>;

/** Packed pixels → residuals (a new buffer). */
export function medEncode(packed: Uint8Array, layout: FrameLayout, mask: RegionMask): Buffer {
  const out = Buffer.allocUnsafe(packed.length);
  transform(packed, out, packed, layout, mask, false);
  return out;
}

/** Residuals → packed pixels, in place; returns `residuals`. */
export function medDecode(residuals: Uint8Array, layout: FrameLayout, mask: RegionMask): Uint8Array {
  transform(residuals, residuals, residuals, layout, mask, true);
  return residuals;
}

/**
 * Walks the packed layout. Neighbours are read from `values` (the pixels themselves: the input when
 * encoding, the output being rebuilt when decoding), which only ever looks back in packing order.
 */
function transform(src: Uint8Array, dst: Uint8Array, values: Uint8Array, layout: FrameLayout, mask: RegionMask, inverse: boolean): void {
  let o = 0;
  for (const plane of framePlanes({ ...layout, data: Buffer.alloc(0) })) {
    const m = planeMask(mask, plane);
    const c = plane.channels;
    let prevStart = 0, prevFrom = 0, prevTo = 0;
    for (let j = 0; j < m.height; j++) {
      const from = m.spans[2 * j], to = m.spans[2 * j + 1];
      if (from >= to) {
        prevFrom = prevTo = 0;
        continue;
      }
      const rowStart = o;
      // Pixels with all three neighbours: [inFrom, inTo). The rest (row ends, overhangs) take the general path.
      const inFrom = Math.max(from + 1, prevFrom + 1), inTo = Math.min(to, prevTo);
      const up = prevStart - prevFrom * c, here = rowStart - from * c;
      const edge = (i: number): void => {
        const hasLeft = i > from, hasUp = i >= prevFrom && i < prevTo, hasUpLeft = i - 1 >= prevFrom && i - 1 < prevTo;
        for (let ch = 0; ch < c; ch++) {
          const k = here + i * c + ch;
          const a = hasLeft ? values[k - c] : -1;
          const b = hasUp ? values[up + i * c + ch] : -1;
          const p = a < 0 && b < 0 ? 128 : a < 0 ? b : b < 0 ? a : !hasUpLeft ? (a + b) >> 1 : med(a, b, values[up + (i - 1) * c + ch]);
          dst[k] = inverse ? (src[k] + p) & 255 : (src[k] - p) & 255;
        }
      };
      if (c === 1 && inFrom < inTo) {
        for (let i = from; i < inFrom; i++) edge(i);
        for (let i = inFrom; i < inTo; i++) {
          const k = here + i, u = up + i;
          const a = values[k - 1], b = values[u], ul = values[u - 1];
          const lo = a < b ? a : b, hi = a < b ? b : a;
          const p = ul >= hi ? lo : ul <= lo ? hi : a + b - ul;
          dst[k] = inverse ? (src[k] + p) & 255 : (src[k] - p) & 255;
        }
        for (let i = inTo; i < to; i++) edge(i);
      } else for (let i = from; i < to; i++) edge(i);
      o = rowStart + (to - from) * c;
      prevStart = rowStart;
      prevFrom = from;
      prevTo = to;
    }
  }
}

/** The median edge detector: min or max of left and up at an edge, else the planar prediction. */
function med(a: number, b: number, ul: number): number {
  return ul >= Math.max(a, b) ? Math.min(a, b) : ul <= Math.min(a, b) ? Math.max(a, b) : a + b - ul;
}
