import { describe, expect, it } from 'vitest';
import { CountingPredictor } from '../../src/diffuse/counting-predictor.js';
import { GaussianDataPredictor, testLatent } from './analytic-predictor.js';

describe('CountingPredictor', () => {
  it('splits batches at maxBatch, counts evaluations, and returns what one call would', async () => {
    const shape = { channels: 1, height: 2, width: 2 };
    const inner = new GaussianDataPredictor(shape);
    const counting = new CountingPredictor(inner, 3);
    const latents = testLatent(7 * 4);
    const t = [1, 100, 200, 300, 400, 500, 999];
    const out = await counting.predictNoise(latents, t, t.map(() => ({})));
    expect(inner.calls).toBe(3);
    expect(counting.evaluations).toBe(7);
    expect(counting.calls).toBe(3);
    expect(out).toEqual(await new GaussianDataPredictor(shape).predictNoise(latents, t, t.map(() => ({}))));
  });
});
