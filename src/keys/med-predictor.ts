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
      for (let i = from; i < to; i++) {
        const hasLeft = i > from, hasUp = i >= prevFrom && i < prevTo, hasUpLeft = i - 1 >= prevFrom && i - 1 < prevTo;
        for (let ch = 0; ch < c; ch++, o++) {
          const a = hasLeft ? values[o - c] : -1;
          const b = hasUp ? values[prevStart + (i - prevFrom) * c + ch] : -1;
          let p: number;
          if (a < 0 && b < 0) p = 128;
          else if (a < 0) p = b;
          else if (b < 0) p = a;
          else if (!hasUpLeft) p = (a + b) >> 1;
          else {
            const ul = values[prevStart + (i - 1 - prevFrom) * c + ch];
            p = ul >= Math.max(a, b) ? Math.min(a, b) : ul <= Math.min(a, b) ? Math.max(a, b) : a + b - ul;
          }
          dst[o] = inverse ? (src[o] + p) & 255 : (src[o] - p) & 255;
        }
      }
      prevStart = o - (to - from) * c;
      prevFrom = from;
      prevTo = to;
    }
  }
}
