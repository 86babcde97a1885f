/**
 * The diffusion math on the project's test bundle (real ONNX graphs, RANDOM weights): the properties that
 * must hold for any model, exercised through the real predictor, projector and codec. These prove math
 * and plumbing, not image quality: the bundle's predictions are meaningless.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadModelBundle, type LoadedModelBundle } from '../../src/diffuse/bundle/load-model-bundle.js';
import { makeTestBundle } from '../../src/diffuse/bundle/make-test-bundle.js';
import { guidedNoise } from '../../src/diffuse/classifier-free-guidance.js';
import { ddimInvert } from '../../src/diffuse/ddim-inversion.js';
import { editFriendlyInvert } from '../../src/diffuse/edit-friendly-inversion.js';
import { gaussianNoise } from '../../src/diffuse/gaussian-noise.js';
import { maskedDdimSample } from '../../src/diffuse/masked-ddim-sampler.js';
import type { Conditioning } from '../../src/diffuse/noise-predictor.js';
import { nullCondition } from '../../src/diffuse/null-condition.js';
import { nullfaceSample } from '../../src/diffuse/nullface-sampler.js';
import { SamplingSchedule } from '../../src/diffuse/sampling-schedule.js';
import { signFlip, signFlipKey } from '../../src/diffuse/sign-flip.js';
import { tempDir } from '../fixtures/media.js';
import { maxAbsDiff, testLatent } from './analytic-predictor.js';

const tmp = tempDir('nullcam-bundle-math-');
let bundle: LoadedModelBundle;
let none: Conditioning, away: Conditioning;
const SIZE = 4 * 8 * 8;
const HW = 64;

beforeAll(async () => {
  const dir = path.join(tmp.dir, 'test');
  makeTestBundle(dir, { seed: 3 });
  bundle = await loadModelBundle(dir, { executionProvider: 'cpu' });
  none = await nullCondition(bundle);
  const e = testLatent(512, 4);
  away = { ...none, identity: await bundle.projector!.project(e) };
}, 60_000);
afterAll(async () => {
  await bundle?.close();
  tmp.remove();
});

const noiseMaps = (n: number): Float32Array[] => {
  const all = gaussianNoise(new Uint8Array([1]), 'track 1', n * SIZE);
  return Array.from({ length: n }, (_, i) => all.subarray(i * SIZE, (i + 1) * SIZE));
};

describe('diffusion math on the test bundle (random weights: math and plumbing only)', () => {
  it('edit-friendly inversion + sampling under the null condition, T_skip = 0, reproduces x0 to float precision', async () => {
    const schedule = new SamplingSchedule(bundle.scheduler, 10, 0);
    const x0 = testLatent(SIZE);
    const [inversion] = await editFriendlyInvert(bundle.predictor, schedule, [x0], [noiseMaps(10)], [none]);
    const [out] = await nullfaceSample(bundle.predictor, schedule, [{ inversion, mask: new Uint8Array(HW).fill(1), nullCondition: none, identityCondition: none }], { lambdaCfg: 10, maskDelay: 0 });
    const err = maxAbsDiff(out, x0);
    console.log(`edit-friendly round trip on the test bundle, 10 steps: max |error| ${err.toExponential(2)}`);
    expect(err).toBeLessThan(1e-4);
  });

  it('a zero mask leaves the latent unchanged under a real identity condition; a full one changes it', async () => {
    const schedule = new SamplingSchedule(bundle.scheduler, 20, 14);
    const x0 = testLatent(SIZE, 2);
    const [inversion] = await editFriendlyInvert(bundle.predictor, schedule, [x0], [noiseMaps(6)], [none]);
    const job = { inversion, nullCondition: none, identityCondition: away };
    const [kept, changed] = await nullfaceSample(bundle.predictor, schedule, [{ ...job, mask: new Uint8Array(HW) }, { ...job, mask: new Uint8Array(HW).fill(1) }], { lambdaCfg: 10, maskDelay: 0 });
    expect(maxAbsDiff(kept, x0)).toBeLessThan(1e-4);
    expect(maxAbsDiff(changed, x0)).toBeGreaterThan(1e-2);
  });

  it('CFG with λ_cfg = 1 equals the conditional branch of one batch-2 call', async () => {
    const x = testLatent(SIZE, 5);
    const batch = new Float32Array(2 * SIZE);
    batch.set(x, 0);
    batch.set(x, SIZE);
    const eps = await bundle.predictor.predictNoise(batch, [291, 291], [none, away]);
    const [alone] = [await bundle.predictor.predictNoise(x, [291], [away])];
    expect(maxAbsDiff(guidedNoise(eps.subarray(0, SIZE), eps.subarray(SIZE), 1), alone)).toBeLessThan(1e-4);
  });

  it('DDIM inversion round trip: error measured; secure flip with the right key reverses, with a wrong key ≈ half the signs stay wrong', async () => {
    const schedule = new SamplingSchedule(bundle.scheduler, 20);
    const x0 = testLatent(SIZE, 6);
    const [traj] = await ddimInvert(bundle.predictor, schedule, [x0], [none]);
    const all = new Uint8Array(HW).fill(1);
    const [back] = await maskedDdimSample(bundle.predictor, schedule, [{ start: traj[0], trajectory: traj, mask: all, conditioning: none }]);
    const rms = Math.sqrt(back.reduce((s, v, i) => s + (v - x0[i]) ** 2, 0) / SIZE);
    console.log(`DDIM inversion round trip on the test bundle (random weights), 20 steps: RMS error ${rms.toExponential(2)}`);
    expect(Number.isFinite(rms)).toBe(true);

    const secret = new Uint8Array(32).fill(1), wrong = new Uint8Array(32).fill(2);
    const id = { track: 1, frame: 0 };
    const flipped = signFlip(traj[0], signFlipKey(secret, id, SIZE), all);
    expect(signFlip(flipped, signFlipKey(secret, id, SIZE), all)).toEqual(traj[0]);
    const bad = signFlip(flipped, signFlipKey(wrong, id, SIZE), all);
    const wrongSigns = bad.filter((v, i) => Math.sign(v) !== Math.sign(traj[0][i])).length / SIZE;
    expect(wrongSigns).toBeGreaterThan(0.4);
    expect(wrongSigns).toBeLessThan(0.6);
  });

  it('identical input, key and settings give bit-identical latents', async () => {
    const schedule = new SamplingSchedule(bundle.scheduler, 8);
    const mask = new Uint8Array(HW).map((_, i) => (i % 8 >= 2 && i % 8 < 6 ? 1 : 0));
    const run = async (): Promise<Float32Array> => {
      const [traj] = await ddimInvert(bundle.predictor, schedule, [testLatent(SIZE, 7)], [none]);
      const start = signFlip(traj[0], signFlipKey(new Uint8Array(32).fill(1), { track: 1, frame: 0 }, SIZE), mask);
      const [out] = await maskedDdimSample(bundle.predictor, schedule, [{ start, trajectory: traj, mask, conditioning: none }]);
      return out;
    };
    const a = await run(), b = await run();
    expect(Buffer.from(a.buffer).equals(Buffer.from(b.buffer))).toBe(true);
  });
});
