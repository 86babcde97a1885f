/**
 * Which pixels of a frame an anonymizer may change: one span per row over a clipped rectangle, in frame
 * pixels, plus its projection onto subsampled planes. Pure.
 *
 * Spans, not a bitmap: every shape nullcam covers (box, ellipse, face oval) is one run per row, and a
 * run makes the per-pixel work of the anonymizers a plain loop with no mask test (a 1080p face is ~1 Mpx).
 */
import type { Plane } from '../frame.js';
import { clipBox, type Box } from '../track/geometry.js';

export interface RegionMask {
  /** Integer rectangle the mask covers, inside the frame. */
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
  /**
   * 2 per row of the rectangle: row j covers columns [spans[2j], spans[2j+1]) relative to x; an empty
   * row has from >= to.
   */
  readonly spans: Int32Array;
}

/** Integer pixel rectangle that holds `box`, clipped to the frame; undefined when nothing is left. */
export function pixelRect(box: Box, frameWidth: number, frameHeight: number): { x: number; y: number; width: number; height: number } | undefined {
  const c = clipBox(box, frameWidth, frameHeight);
  const x = Math.floor(c.x), y = Math.floor(c.y);
  const width = Math.ceil(c.x + c.width) - x, height = Math.ceil(c.y + c.height) - y;
  return width > 0 && height > 0 ? { x, y, width, height } : undefined;
}

/** True when the mask covers frame pixel (px, py). */
export function maskContains(mask: RegionMask, px: number, py: number): boolean {
  const j = py - mask.y, i = px - mask.x;
  return j >= 0 && j < mask.height && i >= mask.spans[2 * j] && i < mask.spans[2 * j + 1];
}

/** The whole box. */
export function rectMask(box: Box, frameWidth: number, frameHeight: number): RegionMask | undefined {
  const r = pixelRect(box, frameWidth, frameHeight);
  if (!r) return undefined;
  const spans = new Int32Array(2 * r.height);
  for (let j = 0; j < r.height; j++) spans[2 * j + 1] = r.width;
  return { ...r, spans };
}

/** The ellipse inscribed in the box (a pixel is in when its centre is). */
export function ellipseMask(box: Box, frameWidth: number, frameHeight: number): RegionMask | undefined {
  const r = pixelRect(box, frameWidth, frameHeight);
  if (!r) return undefined;
  const cx = box.x + box.width / 2, cy = box.y + box.height / 2;
  const rx = box.width / 2, ry = box.height / 2;
  const spans = new Int32Array(2 * r.height);
  for (let j = 0; j < r.height; j++) {
    const dy = (r.y + j + 0.5 - cy) / ry;
    if (dy * dy > 1) continue;
    // Pixel centres x + 0.5 with |x + 0.5 - cx| <= rx·sqrt(1 - dy²).
    const half = rx * Math.sqrt(1 - dy * dy);
    spans[2 * j] = Math.max(0, Math.ceil(cx - half - 0.5) - r.x);
    spans[2 * j + 1] = Math.min(r.width, Math.floor(cx + half - 0.5) - r.x + 1);
  }
  return { ...r, spans };
}

/**
 * Row hull of a bitmap (width*height bytes, 1 = in): each row's first to last covered pixel. For convex
 * shapes this is the shape; otherwise it covers more, never less.
 */
export function bitmapMask(rect: { x: number; y: number; width: number; height: number }, bitmap: Uint8Array): RegionMask {
  const { width, height } = rect;
  const spans = new Int32Array(2 * height);
  for (let j = 0; j < height; j++) {
    const row = j * width;
    let from = 0, to = width;
    while (from < width && bitmap[row + from] === 0) from++;
    while (to > from && bitmap[row + to - 1] === 0) to--;
    spans[2 * j] = from;
    spans[2 * j + 1] = to;
  }
  return { ...rect, spans };
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
  const spans = new Int32Array(2 * height);
  for (let j = 0; j < height; j++) {
    spans[2 * j] = width;
    spans[2 * j + 1] = 0;
  }
  for (let j = 0; j < mask.height; j++) {
    const from = mask.spans[2 * j], to = mask.spans[2 * j + 1];
    if (from >= to) continue;
    const row = Math.floor((mask.y + j) / s) - y;
    if (row >= height) continue;
    spans[2 * row] = Math.min(spans[2 * row], Math.floor((mask.x + from) / s) - x);
    spans[2 * row + 1] = Math.max(spans[2 * row + 1], Math.min(width, Math.ceil((mask.x + to) / s) - x));
  }
  return { x, y, width, height, spans };
}
