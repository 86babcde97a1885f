import { describe, expect, it } from 'vitest';
import { guidedNoise } from '../../src/diffuse/classifier-free-guidance.js';
import { negatedIdentity } from '../../src/diffuse/identity-condition.js';
import { maxAbsDiff, testLatent } from './analytic-predictor.js';

describe('guidedNoise', () => {
  const u = testLatent(2 * 16, 1), c = testLatent(2 * 16, 2);

  it('λ_cfg = 1 gives the conditional branch', () => {
    expect(maxAbsDiff(guidedNoise(u, c, 1), c)).toBeLessThan(1e-6);
  });

  it('λ_cfg = 0 gives the null branch; λ extrapolates linearly', () => {
    expect(maxAbsDiff(guidedNoise(u, c, 0), u)).toBe(0);
    const g = guidedNoise(u, c, 10);
    expect(g[3]).toBeCloseTo(u[3] + 10 * (c[3] - u[3]), 5);
  });

  it('outside the mask the null prediction is kept, on every channel', () => {
    const mask = new Uint8Array(16).map((_, i) => i & 1);
    const g = guidedNoise(u, c, 10, mask);
    for (let i = 0; i < 32; i++) {
      if (mask[i % 16]) expect(g[i]).toBeCloseTo(u[i] + 10 * (c[i] - u[i]), 5);
      else expect(g[i]).toBe(u[i]);
    }
  });
});

describe('negatedIdentity', () => {
  it('normalizes, negates and scales by λ_id', () => {
    const e = negatedIdentity([new Float32Array([3, 4])], 0.5);
    expect(e[0]).toBeCloseTo(-0.3, 6);
    expect(e[1]).toBeCloseTo(-0.4, 6);
  });

  it('averages normalized embeddings, so a large one does not dominate', () => {
    const e = negatedIdentity([new Float32Array([10, 0]), new Float32Array([0, 1])], 1);
    expect(e[0]).toBeCloseTo(-Math.SQRT1_2, 6);
    expect(e[1]).toBeCloseTo(-Math.SQRT1_2, 6);
  });
});
