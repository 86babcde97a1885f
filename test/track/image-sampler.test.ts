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

  it.each(['rgb24', 'yuv420p'] as const)('the fast path equals the general path with scale, offset and outside value (%s)', (format) => {
    const f = frame(format);
    // Sticks out of the frame on the left and bottom, so both paths must letterbox the same pixels.
    const box = { x: -6.3, y: 9.5, width: 33, height: 21 };
    const options = { scale: 2, offset: -1, outside: 0.25 };
    const fast = sampleRgb(f, 18, 14, boxAffine(box, 18, 14), options);
    const general = sampleRgb(f, 18, 14, { ...boxAffine(box, 18, 14), b: 1e-300 }, options);
    for (let i = 0; i < fast.length; i++) expect(fast[i]).toBeCloseTo(general[i], 6);
  });

  it('maps values through scale and offset and letterboxes pixels whose centre is outside the frame', () => {
    const f = frame('yuv420p');
    const box = { x: -8, y: 0, width: f.width + 8, height: f.height };
    const m = boxAffine(box, box.width, box.height);
    const plain = sampleRgb(f, box.width, box.height, m);
    const mapped = sampleRgb(f, box.width, box.height, m, { scale: 2, offset: -1, outside: 0 });
    for (let j = 0; j < box.height; j++) {
      for (let i = 0; i < box.width; i++) {
        for (let ch = 0; ch < 3; ch++) {
          const o = (j * box.width + i) * 3 + ch;
          expect(mapped[o]).toBeCloseTo(i < 8 ? 0 : plain[o] * 2 - 1, 6);
        }
      }
    }
  });

  it('letterboxes through a rotated map too', () => {
    const f = frame('rgb24');
    // Centred on the top-left corner: about three quarters of the crop lies outside the frame.
    const m = rotatedBoxAffine({ x: -10, y: -10, width: 20, height: 20 }, 20, 20, 0.3);
    const out = sampleRgb(f, 20, 20, m, { outside: -5 });
    let letterboxed = 0;
    for (let j = 0; j < 20; j++) {
      for (let i = 0; i < 20; i++) {
        const [x, y] = applyAffine(m, i + 0.5, j + 0.5);
        const inside = x >= 0 && x < f.width && y >= 0 && y < f.height;
        const v = out[(j * 20 + i) * 3];
        if (inside) expect(v).toBeGreaterThanOrEqual(0);
        else expect(v).toBe(-5);
        if (!inside) letterboxed++;
      }
    }
    expect(letterboxed).toBeGreaterThan(200);
    expect(letterboxed).toBeLessThan(400);
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
