/**
 * Blur inside a region. The region (plus one radius of context) is first averaged down by a factor k
 * of about radius/3, blurred there with three box passes (≈ Gaussian, σ ≈ radius), and read back with
 * bilinear interpolation. Cost is one read of the padded region and one write of the masked pixels,
 * whatever the radius.
 */
import { framePlanes, type Frame, type Plane } from '../frame.js';
import { planeMask, type RegionMask } from './region-mask.js';

const PASSES = 3;

/**
 * Blurs the frame's pixels inside `mask`, reading neighbours outside it (so edges blend) but writing
 * only inside.
 * @param radius blur radius in frame pixels (≈ Gaussian σ); chroma planes use radius / subsample
 */
export function blurInPlace(frame: Frame, mask: RegionMask, radius: number): void {
  for (const plane of framePlanes(frame)) blurPlane(plane, planeMask(mask, plane), Math.max(1, radius / plane.subsample));
}

function blurPlane(plane: Plane, m: RegionMask, r: number): void {
  const c = plane.channels;
  const k = Math.max(1, Math.floor(r / 3));
  const pad = Math.ceil(r);
  const x0 = Math.max(0, m.x - pad), y0 = Math.max(0, m.y - pad);
  const x1 = Math.min(plane.width, m.x + m.width + pad), y1 = Math.min(plane.height, m.y + m.height + pad);
  const sw = Math.ceil((x1 - x0) / k), sh = Math.ceil((y1 - y0) / k);
  const small = averageDown(plane, x0, y0, x1, y1, k, sw, sh);
  const rs = Math.max(1, Math.round(r / k));
  const tmp = new Float32Array(Math.max(sw, sh));
  for (let p = 0; p < PASSES; p++) {
    for (let ch = 0; ch < c; ch++) {
      for (let j = 0; j < sh; j++) boxLine(small, j * sw * c + ch, c, sw, rs, tmp);
      for (let i = 0; i < sw; i++) boxLine(small, i * c + ch, sw * c, sh, rs, tmp);
    }
  }
  readBack(plane, m, small, x0, y0, k, sw, sh);
}

/** Mean of every k×k block of the plane's [x0,x1)×[y0,y1) (edge blocks average what they hold). */
function averageDown(plane: Plane, x0: number, y0: number, x1: number, y1: number, k: number, sw: number, sh: number): Float32Array {
  const { data, width: pw, channels: c } = plane;
  const small = new Float32Array(sw * sh * c);
  for (let sy = 0; sy < sh; sy++) {
    const ya = y0 + sy * k, yb = Math.min(y1, ya + k);
    const out = sy * sw * c;
    for (let y = ya; y < yb; y++) {
      let o = (y * pw + x0) * c;
      for (let sx = 0; sx < sw; sx++) {
        const end = o + Math.min(k, x1 - x0 - sx * k) * c;
        const s = out + sx * c;
        if (c === 1) {
          let sum = 0;
          for (; o < end; o++) sum += data[o];
          small[s] += sum;
        } else {
          for (; o < end; o += c) for (let ch = 0; ch < c; ch++) small[s + ch] += data[o + ch];
        }
      }
    }
    for (let sx = 0; sx < sw; sx++) {
      const inv = 1 / ((yb - ya) * Math.min(k, x1 - x0 - sx * k));
      for (let ch = 0; ch < c; ch++) small[out + sx * c + ch] *= inv;
    }
  }
  return small;
}

/**
 * Bilinear upsampling of `small` into the mask's pixels. Each small row is first expanded horizontally
 * to the mask's width (once, as the output rows reach it), in 8-bit fixed point, so a pixel costs two
 * integer reads (float stores into bytes cost V8 about twice as much).
 */
function readBack(plane: Plane, m: RegionMask, small: Float32Array, x0: number, y0: number, k: number, sw: number, sh: number): void {
  const { data, width: pw, channels: c } = plane;
  const n = m.width * c;
  const u0s = new Int32Array(m.width), u1s = new Int32Array(m.width), tus = new Float32Array(m.width);
  for (let i = 0; i < m.width; i++) {
    const u = Math.min(sw - 1, Math.max(0, (m.x + i - x0 + 0.5) / k - 0.5));
    u0s[i] = Math.floor(u);
    u1s[i] = Math.min(sw - 1, u0s[i] + 1);
    tus[i] = u - u0s[i];
  }
  const expand = (row: number, into: Int32Array): void => {
    const base = row * sw * c;
    for (let i = 0; i < m.width; i++) {
      const a = base + u0s[i] * c, b = base + u1s[i] * c, t = tus[i];
      for (let ch = 0; ch < c; ch++) into[i * c + ch] = Math.round((small[a + ch] + (small[b + ch] - small[a + ch]) * t) * 256);
    }
  };
  let top = new Int32Array(n), bottom = new Int32Array(n);
  let topRow = -1, bottomRow = -1;
  for (let j = 0; j < m.height; j++) {
    const v = Math.min(sh - 1, Math.max(0, (m.y + j - y0 + 0.5) / k - 0.5));
    const v0 = Math.floor(v), v1 = Math.min(sh - 1, v0 + 1);
    const tv = Math.round((v - v0) * 256);
    if (v0 !== topRow) {
      if (v0 === bottomRow) [top, bottom] = [bottom, top];
      else expand(v0, top);
      topRow = v0;
      bottomRow = -1;
    }
    if (v1 !== bottomRow) {
      expand(v1, bottom);
      bottomRow = v1;
    }
    const from = m.spans[2 * j], to = m.spans[2 * j + 1];
    const dst = ((m.y + j) * pw + m.x) * c;
    for (let e = from * c; e < to * c; e++) data[dst + e] = (top[e] * (256 - tv) + bottom[e] * tv + 32768) >> 16;
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
