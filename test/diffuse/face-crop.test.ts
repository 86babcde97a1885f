import { describe, expect, it } from 'vitest';
import { ARCFACE_TEMPLATE, diffusionTemplate, similarityAffine } from '../../src/diffuse/face-alignment.js';
import { BLEND_MASK_SIZE, featherMask, latentMask, pasteCropInPlace, readCrop } from '../../src/diffuse/face-crop.js';
import { frameByteLength, type Frame, type PixelFormat } from '../../src/frame.js';
import { sampleRgb } from '../../src/track/image-sampler.js';

function flatFrame(format: PixelFormat, w: number, h: number): Frame {
  const data = Buffer.alloc(frameByteLength(format, w, h));
  if (format === 'yuv420p') data.fill(128, w * h).fill(60, 0, w * h);
  else data.fill(40);
  return { source: 't', index: 0, pts: 0, timeBase: { num: 1, den: 25 }, width: w, height: h, format, data };
}

describe('similarityAffine', () => {
  it('recovers a known rotation, scale and shift exactly', () => {
    const ang = 0.3, sc = 2.5, tx = 100, ty = 40;
    const pts = ARCFACE_TEMPLATE.map(([x, y]) => [sc * (Math.cos(ang) * x - Math.sin(ang) * y) + tx, sc * (Math.sin(ang) * x + Math.cos(ang) * y) + ty] as const);
    const m = similarityAffine(ARCFACE_TEMPLATE, pts);
    expect(m.a).toBeCloseTo(sc * Math.cos(ang), 9);
    expect(m.b).toBeCloseTo(-sc * Math.sin(ang), 9);
    expect(m.d).toBeCloseTo(sc * Math.sin(ang), 9);
    expect(m.c).toBeCloseTo(tx, 9);
    expect(m.f).toBeCloseTo(ty, 9);
  });

  it('the diffusion template centres the eyes, a quarter of the crop apart, at 42 % height', () => {
    const t = diffusionTemplate(512);
    expect(t[1][0] - t[0][0]).toBeCloseTo(128, 6);
    expect((t[0][0] + t[1][0]) / 2).toBeCloseTo(256, 6);
    expect((t[0][1] + t[1][1]) / 2).toBeCloseTo(0.42 * 512, 6);
  });
});

describe('crop in and out', () => {
  const square = new Float32Array([8, 8, 56, 8, 56, 56, 8, 56]);

  it.each(['yuv420p', 'rgb24'] as const)('%s: a pasted colour reads back through the same warp (BT.601 round trip)', (format) => {
    const frame = flatFrame(format, 96, 80);
    const affine = { a: 1.2, b: -0.2, c: 20, d: 0.2, e: 1.2, f: 5 };
    const S = 64;
    const crop = new Float32Array(3 * S * S);
    crop.fill(0.6, 0, S * S).fill(-0.2, S * S, 2 * S * S).fill(-0.7, 2 * S * S);
    pasteCropInPlace(frame, affine, crop, featherMask(square, S, 1 / 64), S);
    const back = readCrop(frame, affine, S);
    const c = 32 * S + 32; // centre: alpha 1
    expect(back[c]).toBeCloseTo(0.6, 1);
    expect(back[S * S + c]).toBeCloseTo(-0.2, 1);
    expect(back[2 * S * S + c]).toBeCloseTo(-0.7, 1);
    // Far outside the mask the frame is untouched.
    const corner = sampleRgb(frame, 1, 1, { a: 1, b: 0, c: 90, d: 0, e: 1, f: 75 });
    const untouched = sampleRgb(flatFrame(format, 96, 80), 1, 1, { a: 1, b: 0, c: 90, d: 0, e: 1, f: 75 });
    expect(corner).toEqual(untouched);
  });

  it('feathered mask: 1 well inside, ½ on the outline, 0 well outside', () => {
    const a = featherMask(square, 64, 1 / 64);
    const at = (x: number, y: number) => a[Math.floor((y * BLEND_MASK_SIZE) / 64) * BLEND_MASK_SIZE + Math.floor((x * BLEND_MASK_SIZE) / 64)];
    expect(at(32, 32)).toBeCloseTo(1, 5);
    expect(at(8, 32)).toBeGreaterThan(0.3);
    expect(at(8, 32)).toBeLessThan(0.7);
    expect(at(2, 32)).toBe(0);
  });

  it('latent mask holds every cell the polygon touches', () => {
    const m = latentMask(new Float32Array([9, 9, 30, 9, 30, 30, 9, 30]), 64, 8, 8);
    const on = [...m].map((v, i) => (v ? i : -1)).filter((i) => i >= 0);
    expect(on).toEqual([9, 10, 11, 17, 18, 19, 25, 26, 27]);
  });
});
