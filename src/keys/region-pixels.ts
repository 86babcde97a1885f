/**
 * The pixels of a frame a region mask covers, as one packed buffer: for each plane (Y, U, V or the one
 * rgb24 plane) the bytes of every row's span of that plane's mask, rows top to bottom. Reveal pastes the
 * same bytes back into the same spans, so the covered pixels come back exactly. Pure.
 */
import { framePlanes, type Frame } from '../frame.js';
import { planeMask, type RegionMask } from '../anonymize/region-mask.js';

type FrameLayout = Pick<Frame, 'format' | 'width' | 'height'>;

/** Bytes `packRegion` returns for this mask on a frame of this layout. */
export function packedRegionLength(layout: FrameLayout, mask: RegionMask): number {
  let n = 0;
  for (const plane of framePlanes({ ...layout, data: Buffer.alloc(0) })) {
    const m = planeMask(mask, plane);
    for (let j = 0; j < m.height; j++) n += Math.max(0, m.spans[2 * j + 1] - m.spans[2 * j]) * plane.channels;
  }
  return n;
}

/** Copies the masked pixels of every plane out of `frame`. */
export function packRegion(frame: Frame, mask: RegionMask): Buffer {
  const out = Buffer.allocUnsafe(packedRegionLength(frame, mask));
  let o = 0;
  forEachSpan(frame, mask, (data, start, end) => {
    o += data.copy(out, o, start, end);
  });
  return out;
}

/**
 * Writes packed pixels back into the frame's masked spans.
 * @throws RangeError when `packed` does not hold exactly the mask's pixels for this frame layout
 */
export function pasteRegion(frame: Frame, mask: RegionMask, packed: Uint8Array): void {
  if (packed.length !== packedRegionLength(frame, mask)) throw new RangeError(`region holds ${packed.length} bytes, the mask covers ${packedRegionLength(frame, mask)}`);
  let o = 0;
  forEachSpan(frame, mask, (data, start, end) => {
    data.set(packed.subarray(o, o + end - start), start);
    o += end - start;
  });
}

/** Calls `visit` with the byte range of every non-empty row span of every plane, in packing order. */
function forEachSpan(frame: Frame, mask: RegionMask, visit: (data: Buffer, start: number, end: number) => void): void {
  for (const plane of framePlanes(frame)) {
    const m = planeMask(mask, plane);
    const c = plane.channels;
    for (let j = 0; j < m.height; j++) {
      const from = m.spans[2 * j], to = m.spans[2 * j + 1];
      if (from >= to) continue;
      const row = ((m.y + j) * plane.width + m.x) * c;
      visit(plane.data, row + from * c, row + to * c);
    }
  }
}
