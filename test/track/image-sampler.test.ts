import { describe, expect, it } from 'vitest';
import { frameByteLength, type Frame, type PixelFormat } from '../../src/frame.js';
import { applyAffine, boxAffine, invertAffine, rotatedBoxAffine, sampleRgb } from '../../src/track/image-sampler.js';

function frame(format: PixelFormat, width = 37, height = 23): Frame {
  const data = Buffer.alloc(frameByteLength(format, width, height));
  for (let i = 0; i < data.length; i++) data[i] = (i * 31 + ((i * i) % 17)) & 0xff;
  return { source: 't', index: 0, pts: 0, timeBase: { num: 1, den: 25 }, width, height, format, data };
}

describe('sampleRgb', () => {
  it.each(['rgb24', 'yuv420p'] as const)('the axis-aligned fast path equals the general path (%s)', (format) => {
    const f = frame(format);
    const box = { x: -3.5, y: 2.25, width: 30, height: 19 };
    const fast = sampleRgb(f, 16, 12, boxAffine(box, 16, 12));
    // A vanishing shear takes the general (rotation-capable) path with the same map.
    const general = sampleRgb(f, 16, 12, { ...boxAffine(box, 16, 12), b: 1e-300 });
    for (let i = 0; i < fast.length; i++) expect(fast[i]).toBeCloseTo(general[i], 6);
  });

  it('reads an rgb24 frame exactly at pixel centres with a 1:1 map', () => {
    const f = frame('rgb24');
    const out = sampleRgb(f, f.width, f.height, boxAffine({ x: 0, y: 0, width: f.width, height: f.height }, f.width, f.height));
    for (let i = 0; i < out.length; i++) expect(Math.round(out[i] * 255)).toBe(f.data[i]);
  });

  it('inverts affines', () => {
    const m = rotatedBoxAffine({ x: 10, y: 20, width: 50, height: 40 }, 64, 64, 0.3);
    const [x, y] = applyAffine(m, 12, 7);
    const [u, v] = applyAffine(invertAffine(m), x, y);
    expect(u).toBeCloseTo(12);
    expect(v).toBeCloseTo(7);
  });
});
