/**
 * What a region record carries, before sealing: the region mask (rectangle and row spans), the original
 * pixels under it (median-edge residuals, see med-predictor.ts) and an optional opaque `extra` that a mode
 * may use (the secure diffusion mode stores its warp and mask there). The whole is raw-deflated.
 *
 *   u8 version (1), u8 0, u16 0, u32 BE x, y, width, height, u32 BE extra length,
 *   i32 BE spans (2 per row), extra, residuals
 */
import { promisify } from 'node:util';
import { constants, deflateRaw, inflateRawSync } from 'node:zlib';
import type { Frame } from '../frame.js';
import type { RegionMask } from '../anonymize/region-mask.js';
import { medDecode, medEncode } from './med-predictor.js';
import { packedRegionLength } from './region-pixels.js';

const deflateRawAsync = promisify(deflateRaw);
const FIXED = 24;
/**
 * deflate with run-length matches only (Z_RLE): residuals are noise around 0 with runs in flat areas, and
 * longer-distance matching costs time for nothing. Measured per frame over 40 frames (second pass, warm),
 * bench 720p face / interview.mp4 face / Megamind.avi face: Z_RLE 70.3 / 43.8 / 15.3 kB in 2.7 / 0.8 /
 * 0.5 ms; level 1 85.5 / 49.0 / 19.4 kB in 3.1 / 1.2 / 0.5 ms; level 3 80.8 / 47.9 / 18.0 kB in
 * 6.2 / 2.0 / 1.1 ms; Huffman only 73.8 / 43.4 / 15.7 kB. Raw: 236 / 101 / 59 kB.
 */
const DEFLATE = { level: 1, strategy: constants.Z_RLE };

export interface RegionPayload {
  readonly mask: RegionMask;
  /** Packed original pixels (region-pixels.ts layout). */
  readonly pixels: Uint8Array;
  readonly extra?: Uint8Array;
}

type FrameLayout = Pick<Frame, 'format' | 'width' | 'height'>;

/** Serializes and compresses (on libuv's thread pool, so the pipeline thread keeps working). */
export async function encodeRegionPayload(p: RegionPayload, layout: FrameLayout): Promise<Buffer> {
  const { mask } = p;
  const extra = p.extra ?? new Uint8Array(0);
  const head = Buffer.alloc(FIXED + 8 * mask.height);
  head.writeUInt8(1, 0);
  head.writeUInt32BE(mask.x, 4);
  head.writeUInt32BE(mask.y, 8);
  head.writeUInt32BE(mask.width, 12);
  head.writeUInt32BE(mask.height, 16);
  head.writeUInt32BE(extra.length, 20);
  for (let k = 0; k < mask.spans.length; k++) head.writeInt32BE(mask.spans[k], FIXED + 4 * k);
  return deflateRawAsync(Buffer.concat([head, extra, medEncode(p.pixels, layout, mask)]), DEFLATE);
}

/**
 * @throws RangeError when the bytes do not describe a region of a frame with this layout (only possible for
 *   data nullcam did not write: records are authenticated before this runs)
 */
export function decodeRegionPayload(compressed: Uint8Array, layout: FrameLayout): RegionPayload {
  const maxBytes = FIXED + 8 * layout.height + 2 * layout.width * layout.height * 3 + (16 << 20);
  const b = inflateRawSync(compressed, { maxOutputLength: maxBytes });
  if (b.length < FIXED || b.readUInt8(0) !== 1) throw new RangeError('unknown region payload version');
  const x = b.readUInt32BE(4), y = b.readUInt32BE(8), width = b.readUInt32BE(12), height = b.readUInt32BE(16), extraLength = b.readUInt32BE(20);
  if (width < 1 || height < 1 || x + width > layout.width || y + height > layout.height) throw new RangeError('region outside the frame');
  const spansEnd = FIXED + 8 * height;
  if (b.length < spansEnd + extraLength) throw new RangeError('region payload cut short');
  const spans = new Int32Array(2 * height);
  for (let k = 0; k < spans.length; k++) {
    spans[k] = b.readInt32BE(FIXED + 4 * k);
    if (spans[k] < 0 || spans[k] > width) throw new RangeError('region span outside its rectangle');
  }
  const mask: RegionMask = { x, y, width, height, spans };
  const pixels = b.subarray(spansEnd + extraLength);
  if (pixels.length !== packedRegionLength(layout, mask)) throw new RangeError('region pixels do not fill the mask');
  return { mask, pixels: medDecode(pixels, layout, mask), ...(extraLength > 0 ? { extra: b.subarray(spansEnd, spansEnd + extraLength) } : {}) };
}
