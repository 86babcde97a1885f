import { describe, expect, it } from 'vitest';
import { float16ToFloat32, float32ToFloat16 } from '../../../src/diffuse/bundle/float16.js';

describe('float16', () => {
  it('encodes known values (IEEE 754 binary16)', () => {
    const cases: Array<[number, number]> = [
      [0, 0x0000], [-0, 0x8000], [1, 0x3c00], [-2, 0xc000], [0.5, 0x3800], [65504, 0x7bff], [65520, 0x7c00],
      [Infinity, 0x7c00], [-Infinity, 0xfc00], [2 ** -14, 0x0400], [2 ** -24, 0x0001], [2 ** -26, 0x0000],
      // Ties round to even: 1 + 2^-11 lies halfway between 1 and 1 + 2^-10.
      [1 + 2 ** -11, 0x3c00], [1 + 3 * 2 ** -11, 0x3c02],
    ];
    for (const [x, h] of cases) expect([x, float32ToFloat16(Float32Array.of(x))[0]]).toEqual([x, h]);
    expect(Number.isNaN(float16ToFloat32(float32ToFloat16(Float32Array.of(NaN)))[0])).toBe(true);
  });

  it('round-trips every finite half exactly', () => {
    const all = Uint16Array.from({ length: 0x10000 }, (_, i) => i).filter((h) => (h & 0x7c00) !== 0x7c00);
    expect(float32ToFloat16(float16ToFloat32(all))).toEqual(all);
  });

  it('rounds float32 to the nearest half (relative error ≤ 2^-11 in the normal range)', () => {
    const xs = Float32Array.from({ length: 1000 }, (_, i) => (i - 500) * 1.37);
    const back = float16ToFloat32(float32ToFloat16(xs));
    xs.forEach((x, i) => expect(Math.abs(back[i] - x)).toBeLessThanOrEqual(Math.abs(x) * 2 ** -11 + 1e-12));
  });
});
