/** Analytic predictor (Gaussian data): these prove the math, not image quality. */
import { describe, expect, it } from 'vitest';
import { editFriendlyInvert } from '../../src/diffuse/edit-friendly-inversion.js';
import { gaussianNoise } from '../../src/diffuse/gaussian-noise.js';
import { nullfaceSample } from '../../src/diffuse/nullface-sampler.js';
import { SamplingSchedule } from '../../src/diffuse/sampling-schedule.js';
import { GaussianDataPredictor, maxAbsDiff, SD15_SCHEDULER, testLatent } from './analytic-predictor.js';

const SHAPE = { channels: 4, height: 8, width: 8 };
const SIZE = 4 * 8 * 8;
const seed = new Uint8Array(32).fill(7);
const nullCond = { identity: new Float32Array([0]) };

function noiseFor(schedule: SamplingSchedule, track: number): Float32Array[] {
  const all = gaussianNoise(seed, `track ${track}`, schedule.length * SIZE);
  return Array.from({ length: schedule.length }, (_, i) => all.subarray(i * SIZE, (i + 1) * SIZE));
}

describe('edit-friendly DDPM inversion + NullFace sampling', () => {
  it.each([
    { steps: 100, skip: 0 },
    { steps: 100, skip: 70 },
    { steps: 8, skip: 2 },
  ])('reproduces x0 to float precision under the null condition ($steps steps, T_skip $skip)', async ({ steps, skip }) => {
    const predictor = new GaussianDataPredictor(SHAPE);
    const schedule = new SamplingSchedule(SD15_SCHEDULER, steps, skip);
    const x0 = testLatent(SIZE);
    const [inv] = await editFriendlyInvert(predictor, schedule, [x0], [noiseFor(schedule, 1)], [nullCond]);
    const mask = new Uint8Array(64).fill(1);
    const [out] = await nullfaceSample(predictor, schedule, [{ inversion: inv, mask, nullCondition: nullCond, identityCondition: nullCond }], { lambdaCfg: 10, maskDelay: 0 });
    expect(maxAbsDiff(out, x0)).toBeLessThan(1e-5);
  });

  it('the inversion is one model call for every level; sampling one per step (CFG pair batched), first null branch reused', async () => {
    const predictor = new GaussianDataPredictor(SHAPE);
    const schedule = new SamplingSchedule(SD15_SCHEDULER, 20, 14);
    const x0s = [testLatent(SIZE, 1), testLatent(SIZE, 2)];
    const invs = await editFriendlyInvert(predictor, schedule, x0s, [noiseFor(schedule, 1), noiseFor(schedule, 2)], [nullCond, nullCond]);
    expect(predictor.calls).toBe(1);
    expect(predictor.evaluations).toBe(2 * 6);
    const idCond = { identity: new Float32Array([0.5]) };
    await nullfaceSample(predictor, schedule, invs.map((inversion) => ({ inversion, mask: new Uint8Array(64).fill(1), nullCondition: nullCond, identityCondition: idCond })), { lambdaCfg: 3, maskDelay: 2 });
    expect(predictor.calls).toBe(1 + 6);
    expect(predictor.evaluations).toBe(12 + 2 * (2 * 6 - 1));
  });

  it('a zero mask (after the delay) leaves the latent unchanged even under a strong identity condition', async () => {
    const predictor = new GaussianDataPredictor(SHAPE);
    const schedule = new SamplingSchedule(SD15_SCHEDULER, 20, 10);
    const x0 = testLatent(SIZE);
    const [inversion] = await editFriendlyInvert(predictor, schedule, [x0], [noiseFor(schedule, 1)], [nullCond]);
    const job = { inversion, nullCondition: nullCond, identityCondition: { identity: new Float32Array([2]) } };
    const [kept] = await nullfaceSample(predictor, schedule, [{ ...job, mask: new Uint8Array(64) }], { lambdaCfg: 10, maskDelay: 0 });
    expect(maxAbsDiff(kept, x0)).toBeLessThan(1e-5);
    // Half the mask on: the masked columns move, the others stay.
    const mask = new Uint8Array(64).map((_, i) => (i % 8 < 4 ? 1 : 0));
    const [half] = await nullfaceSample(predictor, schedule, [{ ...job, mask }], { lambdaCfg: 10, maskDelay: 0 });
    let inside = 0, outside = 0;
    for (let i = 0; i < SIZE; i++) {
      const d = Math.abs(half[i] - x0[i]);
      if (mask[i % 64]) inside = Math.max(inside, d);
      else outside = Math.max(outside, d);
    }
    expect(outside).toBeLessThan(1e-5);
    expect(inside).toBeGreaterThan(0.5);
  });

  it('same input and seed give bit-identical output', async () => {
    const schedule = new SamplingSchedule(SD15_SCHEDULER, 10, 4);
    const run = async (track: number): Promise<Float32Array> => {
      const predictor = new GaussianDataPredictor(SHAPE);
      const [inversion] = await editFriendlyInvert(predictor, schedule, [testLatent(SIZE)], [noiseFor(schedule, track)], [nullCond]);
      const [out] = await nullfaceSample(predictor, schedule, [{ inversion, mask: new Uint8Array(64).fill(1), nullCondition: nullCond, identityCondition: { identity: new Float32Array([1]) } }], { lambdaCfg: 5, maskDelay: 1 });
      return out;
    };
    const [a, b] = await Promise.all([run(1), run(1)]);
    expect(Buffer.from(a.buffer).equals(Buffer.from(b.buffer))).toBe(true);
  });
});
