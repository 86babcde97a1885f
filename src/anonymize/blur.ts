/**
 * Blur inside a region. Three box-blur passes per axis approximate a Gaussian with σ ≈ radius; running
 * sums make the cost independent of the radius (a 300 px face at radius 45 costs the same as at 5).
 */
import { framePlanes, type Frame } from '../frame.js';
import { planeMask, type RegionMask } from './region-mask.js';

const PASSES = 3;

/**
 * Blurs the frame's pixels inside `mask`, reading neighbours outside it (so edges blend) but writing
 * only inside.
 * @param radius box radius in frame pixels (≈ Gaussian σ); chroma planes use radius / subsample
 */
export function blurInPlace(frame: Frame, mask: RegionMask, radius: number): void {
  for (const plane of framePlanes(frame)) {
    const m = planeMask(mask, plane);
    const r = Math.max(1, Math.round(radius / plane.subsample));
    // Context of one radius per pass around the region, clipped to the plane.
    const pad = r * PASSES;
    const x0 = Math.max(0, m.x - pad), y0 = Math.max(0, m.y - pad);
    const x1 = Math.min(plane.width, m.x + m.width + pad), y1 = Math.min(plane.height, m.y + m.height + pad);
    const w = x1 - x0, h = y1 - y0, c = plane.channels;
    const buf = new Float32Array(w * h * c);
    for (let j = 0; j < h; j++) {
      const src = ((y0 + j) * plane.width + x0) * c;
      for (let k = 0; k < w * c; k++) buf[j * w * c + k] = plane.data[src + k];
    }
    const tmp = new Float32Array(Math.max(w, h));
    for (let p = 0; p < PASSES; p++) {
      for (let ch = 0; ch < c; ch++) {
        for (let j = 0; j < h; j++) boxLine(buf, (j * w) * c + ch, c, w, r, tmp);
        for (let i = 0; i < w; i++) boxLine(buf, i * c + ch, w * c, h, r, tmp);
      }
    }
    for (let j = 0; j < m.height; j++) {
      for (let i = 0; i < m.width; i++) {
        if (!m.data[j * m.width + i]) continue;
        const src = ((m.y + j - y0) * w + (m.x + i - x0)) * c;
        const dst = ((m.y + j) * plane.width + m.x + i) * c;
        for (let ch = 0; ch < c; ch++) plane.data[dst + ch] = Math.round(buf[src + ch]);
      }
    }
  }
}

/** In-place moving average of n samples at buf[start + k*stride], window 2r+1, edges clamped. */
function boxLine(buf: Float32Array, start: number, stride: number, n: number, r: number, tmp: Float32Array): void {
  for (let k = 0; k < n; k++) tmp[k] = buf[start + k * stride];
  const at = (k: number): number => tmp[k < 0 ? 0 : k >= n ? n - 1 : k];
  let sum = 0;
  for (let k = -r; k <= r; k++) sum += at(k);
  const inv = 1 / (2 * r + 1);
  for (let k = 0; k < n; k++) {
    buf[start + k * stride] = sum * inv;
    sum += at(k + r + 1) - at(k - r);
  }
}
