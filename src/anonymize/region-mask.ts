/**
 * Which pixels of a frame an anonymizer may change: a binary mask over a clipped rectangle, in frame
 * pixels, plus its projection onto subsampled planes. Pure.
 */
import type { Plane } from '../frame.js';
import { clipBox, type Box } from '../track/geometry.js';

export interface RegionMask {
  /** Integer rectangle the mask covers, inside the frame. */
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
  /** width*height bytes, 1 where the pixel belongs to the region. */
  readonly data: Uint8Array;
}

/** Integer pixel rectangle that holds `box`, clipped to the frame; undefined when nothing is left. */
export function pixelRect(box: Box, frameWidth: number, frameHeight: number): { x: number; y: number; width: number; height: number } | undefined {
  const c = clipBox(box, frameWidth, frameHeight);
  const x = Math.floor(c.x), y = Math.floor(c.y);
  const width = Math.ceil(c.x + c.width) - x, height = Math.ceil(c.y + c.height) - y;
  return width > 0 && height > 0 ? { x, y, width, height } : undefined;
}

/** The whole box. */
export function rectMask(box: Box, frameWidth: number, frameHeight: number): RegionMask | undefined {
  const r = pixelRect(box, frameWidth, frameHeight);
  return r && { ...r, data: new Uint8Array(r.width * r.height).fill(1) };
}

/** The ellipse inscribed in the box (a pixel is in when its centre is). */
export function ellipseMask(box: Box, frameWidth: number, frameHeight: number): RegionMask | undefined {
  const r = pixelRect(box, frameWidth, frameHeight);
  if (!r) return undefined;
  const cx = box.x + box.width / 2, cy = box.y + box.height / 2;
  const rx = box.width / 2, ry = box.height / 2;
  const data = new Uint8Array(r.width * r.height);
  for (let j = 0; j < r.height; j++) {
    const dy = (r.y + j + 0.5 - cy) / ry;
    for (let i = 0; i < r.width; i++) {
      const dx = (r.x + i + 0.5 - cx) / rx;
      if (dx * dx + dy * dy <= 1) data[j * r.width + i] = 1;
    }
  }
  return { ...r, data };
}

/**
 * The mask on a plane subsampled by `plane.subsample`: a plane pixel is in when any frame pixel it
 * covers is, so no chroma of a covered face survives at the region's edge.
 */
export function planeMask(mask: RegionMask, plane: Pick<Plane, 'subsample' | 'width' | 'height'>): RegionMask {
  const s = plane.subsample;
  if (s === 1) return mask;
  const x = Math.floor(mask.x / s), y = Math.floor(mask.y / s);
  const width = Math.min(plane.width, Math.ceil((mask.x + mask.width) / s)) - x;
  const height = Math.min(plane.height, Math.ceil((mask.y + mask.height) / s)) - y;
  const data = new Uint8Array(width * height);
  for (let j = 0; j < mask.height; j++) {
    const row = Math.floor((mask.y + j) / s) - y;
    for (let i = 0; i < mask.width; i++) {
      if (mask.data[j * mask.width + i]) data[row * width + Math.floor((mask.x + i) / s) - x] = 1;
    }
  }
  return { x, y, width, height, data };
}
