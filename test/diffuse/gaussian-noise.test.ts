import { describe, expect, it } from 'vitest';
import { gaussianNoise } from '../../src/diffuse/gaussian-noise.js';

describe('gaussianNoise (HKDF + AES-CTR + Box–Muller)', () => {
  const seed = new Uint8Array(32).fill(1);

  it('is standard normal: mean ≈ 0, variance ≈ 1, tails as N(0,1)', () => {
    const x = gaussianNoise(seed, 'track 1', 100_001);
    expect(x.length).toBe(100_001);
    let m = 0, v = 0, tail = 0;
    for (const s of x) m += s / x.length;
    for (const s of x) {
      v += (s - m) ** 2 / x.length;
      if (Math.abs(s) > 1.96) tail++;
    }
    expect(Math.abs(m)).toBeLessThan(0.01);
    expect(Math.abs(v - 1)).toBeLessThan(0.02);
    expect(tail / x.length).toBeCloseTo(0.05, 2);
  });

  it('is reproducible per (seed, context) and independent across contexts', () => {
    const a = gaussianNoise(seed, 'track 1', 1000);
    expect(gaussianNoise(seed, 'track 1', 1000)).toEqual(a);
    const b = gaussianNoise(seed, 'track 2', 1000);
    let dot = 0;
    for (let i = 0; i < 1000; i++) dot += (a[i] * b[i]) / 1000;
    expect(Math.abs(dot)).toBeLessThan(0.15);
    // A prefix of a longer draw is the shorter draw (the stream is a stream).
    expect(gaussianNoise(seed, 'track 1', 10)).toEqual(a.subarray(0, 10));
  });
});
