/** Solid colour inside a region. */
import { framePlanes, type Frame } from '../frame.js';
import { planeMask, type RegionMask } from './region-mask.js';

/** An sRGB colour, 0–255 per channel. */
export interface Rgb {
  readonly r: number;
  readonly g: number;
  readonly b: number;
}

/** Parses "#rrggbb". */
export function parseHexColour(text: string): Rgb | undefined {
  const m = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(text);
  return m ? { r: parseInt(m[1], 16), g: parseInt(m[2], 16), b: parseInt(m[3], 16) } : undefined;
}

/** BT.601 limited-range Y, U, V for an RGB colour (the inverse of what image-sampler reads). */
export function rgbToYuv({ r, g, b }: Rgb): [number, number, number] {
  const y = 16 + (65.481 * r + 128.553 * g + 24.966 * b) / 255;
  const u = 128 + (-37.797 * r - 74.203 * g + 112.0 * b) / 255;
  const v = 128 + (112.0 * r - 93.786 * g - 18.214 * b) / 255;
  return [Math.round(y), Math.round(u), Math.round(v)];
}

export function fillInPlace(frame: Frame, mask: RegionMask, colour: Rgb): void {
  const planes = framePlanes(frame);
  const values = frame.format === 'rgb24' ? [[colour.r, colour.g, colour.b]] : rgbToYuv(colour).map((v) => [v]);
  planes.forEach((plane, p) => {
    const m = planeMask(mask, plane);
    const value = values[p];
    for (let j = 0; j < m.height; j++) {
      const from = m.spans[2 * j], to = m.spans[2 * j + 1];
      if (from >= to) continue;
      const row = (m.y + j) * plane.width + m.x;
      if (plane.channels === 1) plane.data.fill(value[0], row + from, row + to);
      else for (let i = from; i < to; i++) for (let ch = 0; ch < plane.channels; ch++) plane.data[(row + i) * plane.channels + ch] = value[ch];
    }
  });
}
