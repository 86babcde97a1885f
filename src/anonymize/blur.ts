/**
 * Blur inside a region. The region (plus one radius of context) is first averaged down by a factor k
 * of about radius/3, blurred there with three box passes (≈ Gaussian, σ ≈ radius), and read back with
 * bilinear interpolation. Cost is one pass over the region whatever the radius (a 340 px face at radius
 * 68 on 640x480 yuv420p: 11.5 ms, measured on a loaded 2-core machine).
 */
import { framePlanes, type Frame } from '../frame.js';
import { planeMask, type RegionMask } from './region-mask.js';

const PASSES = 3;

/**
 * Blurs the frame's pixels inside `mask`, reading neighbours outside it (so edges blend) but writing
 * only inside.
 * @param radius blur radius in frame pixels (≈ Gaussian σ); chroma planes use radius / subsample
 */
export function blurInPlace(frame: Frame, mask: RegionMask, radius: number): void {
  for (const plane of framePlanes(frame)) {
    const m = planeMask(mask, plane);
    const r = Math.max(1, radius / plane.subsample);
    const k = Math.max(1, Math.floor(r / 3));
    const pad = Math.ceil(r);
    const x0 = Math.max(0, m.x - pad), y0 = Math.max(0, m.y - pad);
    const x1 = Math.min(plane.width, m.x + m.width + pad), y1 = Math.min(plane.height, m.y + m.height + pad);
    const c = plane.channels;
    const sw = Math.ceil((x1 - x0) / k), sh = Math.ceil((y1 - y0) / k);
    const small = new Float32Array(sw * sh * c);
    const counts = new Float32Array(sw * sh);
    const col = new Int32Array(x1 - x0);
    for (let x = x0; x < x1; x++) col[x - x0] = Math.floor((x - x0) / k);
    for (let y = y0; y < y1; y++) {
      const rowBase = Math.floor((y - y0) / k) * sw;
      const src = y * plane.width * c;
      for (let x = x0; x < x1; x++) {
        const s = rowBase + col[x - x0];
        counts[s]++;
        for (let ch = 0; ch < c; ch++) small[s * c + ch] += plane.data[src + x * c + ch];
      }
    }
    for (let s = 0; s < counts.length; s++) for (let ch = 0; ch < c; ch++) small[s * c + ch] /= counts[s];
    const rs = Math.max(1, Math.round(r / k));
    const tmp = new Float32Array(Math.max(sw, sh));
    for (let p = 0; p < PASSES; p++) {
      for (let ch = 0; ch < c; ch++) {
        for (let j = 0; j < sh; j++) boxLine(small, j * sw * c + ch, c, sw, rs, tmp);
        for (let i = 0; i < sw; i++) boxLine(small, i * c + ch, sw * c, sh, rs, tmp);
      }
    }
    // Bilinear read-back weights per column, computed once.
    const u0s = new Int32Array(m.width), u1s = new Int32Array(m.width), tus = new Float32Array(m.width);
    for (let i = 0; i < m.width; i++) {
      const u = Math.min(sw - 1, Math.max(0, (m.x + i - x0 + 0.5) / k - 0.5));
      u0s[i] = Math.floor(u);
      u1s[i] = Math.min(sw - 1, u0s[i] + 1);
      tus[i] = u - u0s[i];
    }
    for (let j = 0; j < m.height; j++) {
      const v = Math.min(sh - 1, Math.max(0, (m.y + j - y0 + 0.5) / k - 0.5));
      const v0 = Math.floor(v), v1 = Math.min(sh - 1, v0 + 1), tv = v - v0;
      for (let i = 0; i < m.width; i++) {
        if (!m.data[j * m.width + i]) continue;
        const u0 = u0s[i], u1 = u1s[i], tu = tus[i];
        const dst = ((m.y + j) * plane.width + m.x + i) * c;
        for (let ch = 0; ch < c; ch++) {
          const top = small[(v0 * sw + u0) * c + ch] * (1 - tu) + small[(v0 * sw + u1) * c + ch] * tu;
          const bottom = small[(v1 * sw + u0) * c + ch] * (1 - tu) + small[(v1 * sw + u1) * c + ch] * tu;
          plane.data[dst + ch] = Math.round(top * (1 - tv) + bottom * tv);
        }
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
