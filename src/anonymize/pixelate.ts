/** Pixelation inside a region: each block of the region's grid becomes the mean of its pixels. */
import { framePlanes, type Frame } from '../frame.js';
import { planeMask, type RegionMask } from './region-mask.js';

/**
 * @param blockSize block edge in frame pixels; the grid is anchored at the region's top-left corner so
 * the blocks of every plane line up
 */
export function pixelateInPlace(frame: Frame, mask: RegionMask, blockSize: number): void {
  for (const plane of framePlanes(frame)) {
    const m = planeMask(mask, plane);
    const bs = Math.max(1, Math.round(blockSize / plane.subsample));
    const c = plane.channels;
    const sums = new Float64Array(c);
    for (let by = 0; by < m.height; by += bs) {
      for (let bx = 0; bx < m.width; bx += bs) {
        const bw = Math.min(bs, m.width - bx), bh = Math.min(bs, m.height - by);
        sums.fill(0);
        // The mean takes every pixel of the block, masked or not: only a block's pixels inside the mask change.
        for (let j = 0; j < bh; j++) {
          for (let i = 0; i < bw; i++) {
            const o = ((m.y + by + j) * plane.width + m.x + bx + i) * c;
            for (let ch = 0; ch < c; ch++) sums[ch] += plane.data[o + ch];
          }
        }
        const n = bw * bh;
        for (let j = 0; j < bh; j++) {
          const from = Math.max(bx, m.spans[2 * (by + j)]), to = Math.min(bx + bw, m.spans[2 * (by + j) + 1]);
          for (let i = from; i < to; i++) {
            const o = ((m.y + by + j) * plane.width + m.x + i) * c;
            for (let ch = 0; ch < c; ch++) plane.data[o + ch] = Math.round(sums[ch] / n);
          }
        }
      }
    }
  }
}
