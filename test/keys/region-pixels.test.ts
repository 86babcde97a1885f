/**
 * Region pixels and their lossless prediction: what is packed is what comes back, byte for byte, for any
 * mask shape on odd-sized yuv420p and rgb24 frames; the predictor shrinks a smooth image's deflate size.
 */
import { deflateRawSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { classicAnonymizer } from '../../src/anonymize/classic-anonymizer.js';
import { ellipseMask, rectMask, type RegionMask } from '../../src/anonymize/region-mask.js';
import { frameByteLength, type Frame, type PixelFormat } from '../../src/frame.js';
import { medDecode, medEncode } from '../../src/keys/med-predictor.js';
import { decodeRegionPayload, encodeRegionPayload } from '../../src/keys/region-payload.js';
import { packedRegionLength, packRegion, pasteRegion } from '../../src/keys/region-pixels.js';
import type { FaceFrame } from '../../src/track/face.js';
import { stillFrame } from '../track/face-fixtures.js';

function noiseFrame(format: PixelFormat, width = 67, height = 51, seed = 7): Frame {
  const data = Buffer.alloc(frameByteLength(format, width, height));
  let s = seed;
  for (let i = 0; i < data.length; i++) data[i] = (s = (s * 1103515245 + 12345) & 0x7fffffff) >> 23;
  return { source: 'noise', index: 0, pts: 0, timeBase: { num: 1, den: 25 }, width, height, format, data };
}

/** A ragged mask: random spans, some rows empty. */
function raggedMask(x: number, y: number, width: number, height: number): RegionMask {
  const spans = new Int32Array(2 * height);
  for (let j = 0; j < height; j++) {
    const a = (j * 7) % width, b = Math.min(width, a + ((j * 13) % width));
    spans[2 * j] = j % 5 === 3 ? width : a;
    spans[2 * j + 1] = j % 5 === 3 ? 0 : b;
  }
  return { x, y, width, height, spans };
}

describe.each(['yuv420p', 'rgb24'] as const)('region pixels on %s', (format) => {
  const masks: Array<[string, RegionMask]> = [
    ['ellipse at an odd offset', ellipseMask({ x: 5.3, y: 7.7, width: 31, height: 27 }, 67, 51)!],
    ['rectangle at the frame edge', rectMask({ x: 40, y: 30, width: 40, height: 40 }, 67, 51)!],
    ['ragged spans', raggedMask(3, 1, 33, 47)],
  ];
  it.each(masks)('%s: pack → paste restores exactly the masked pixels, touches nothing else', (_name, mask) => {
    const original = noiseFrame(format);
    const packed = packRegion(original, mask);
    expect(packed.length).toBe(packedRegionLength(original, mask));
    const other = noiseFrame(format, 67, 51, 99);
    const before = Buffer.from(other.data);
    pasteRegion(other, mask, packed);
    expect(packRegion(other, mask).equals(packed)).toBe(true);
    // Putting `other`'s own masked bytes back gives `other` exactly: nothing outside the mask was touched.
    pasteRegion(other, mask, packRegion({ ...other, data: before }, mask));
    expect(other.data.equals(before)).toBe(true);
  });

  it.each(masks)('%s: median-edge prediction round-trips', (_name, mask) => {
    const f = noiseFrame(format);
    const packed = packRegion(f, mask);
    const residuals = medEncode(packed, f, mask);
    expect(Buffer.from(medDecode(Buffer.from(residuals), f, mask)).equals(packed)).toBe(true);
  });

  it('payload (mask, pixels, extra) round-trips through deflate', async () => {
    const f = noiseFrame(format);
    const mask = raggedMask(3, 1, 33, 47);
    const pixels = packRegion(f, mask);
    const extra = Uint8Array.from([1, 2, 3, 250]);
    const back = decodeRegionPayload(await encodeRegionPayload({ mask, pixels, extra }, f), f);
    expect(back.mask).toEqual(mask);
    expect(Buffer.from(back.pixels).equals(pixels)).toBe(true);
    expect([...back.extra!]).toEqual([...extra]);
    expect(() => pasteRegion(f, mask, pixels.subarray(1))).toThrow(RangeError);
  });
});

it('prediction makes a real face region compress better than raw deflate', async () => {
  const frame = await stillFrame('grace_hopper_512x512.jpg', 'yuv420p');
  const mask = ellipseMask({ x: 160, y: 110, width: 215, height: 210 }, frame.width, frame.height)!;
  const packed = packRegion(frame, mask);
  const raw = deflateRawSync(packed, { level: 3 }).length;
  const predicted = deflateRawSync(medEncode(packed, frame, mask), { level: 3 }).length;
  expect(predicted).toBeLessThan(raw * 0.85);
});

describe('classic modes change only the regions they declare', () => {
  it.each(['blur', 'pixelate', 'solid', 'mask'] as const)('%s: pasting the captured regions back gives the original frame', async (mode) => {
    const still = await stillFrame('grace_hopper_512x512.jpg', 'yuv420p');
    const frame: FaceFrame = {
      ...still,
      data: Buffer.from(still.data),
      faces: [
        { trackId: 1, box: { x: 150, y: 100, width: 230, height: 230 }, score: 0.9, origin: 'detected' },
        { trackId: 2, box: { x: 300, y: 280, width: 150, height: 160 }, score: 0.9, origin: 'detected' },
      ],
    };
    const anonymizer = classicAnonymizer({ mode, shape: 'ellipse', blurStrength: 0.2, pixelBlocks: 8, colour: { r: 0, g: 0, b: 0 }, maskFill: 'blur' });
    const masks = anonymizer.regions!(frame);
    const captured = masks.map((m) => packRegion(frame, m!));
    await anonymizer.anonymizeInPlace(frame);
    expect(frame.data.equals(still.data)).toBe(false);
    // The faces overlap; every region was captured before any was anonymized, so any paste order works.
    for (let k = 0; k < masks.length; k++) pasteRegion(frame, masks[k]!, captured[k]);
    expect(frame.data.equals(still.data)).toBe(true);
  });
});
