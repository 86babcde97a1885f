/** Analytic predictor (Gaussian data): these prove the math, not image quality. */
import { describe, expect, it } from 'vitest';
import { ddimInvert } from '../../src/diffuse/ddim-inversion.js';
import { maskedDdimSample } from '../../src/diffuse/masked-ddim-sampler.js';
import { SamplingSchedule } from '../../src/diffuse/sampling-schedule.js';
import { signFlip, signFlipKey, videoFlipSecret } from '../../src/diffuse/sign-flip.js';
import { GaussianDataPredictor, maxAbsDiff, SD15_SCHEDULER, testLatent } from './analytic-predictor.js';

const SHAPE = { channels: 3, height: 8, width: 8 };
const SIZE = 3 * 64;
const ALL = new Uint8Array(64).fill(1);

function rms(a: Float32Array, b: Float32Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i] - b[i]) ** 2;
  return Math.sqrt(s / a.length);
}

describe('DDIM inversion round trip (η = 0)', () => {
  // Measured with the analytic Gaussian-data predictor (s = 0.8, latent RMS ≈ 0.8); the numbers below are
  // what these tests print and bound, reported in src/diffuse/README.md.
  it.each([10, 20, 50])('%i steps: invert then sample returns close to x0 (error measured)', async (steps) => {
    const predictor = new GaussianDataPredictor(SHAPE);
    const schedule = new SamplingSchedule(SD15_SCHEDULER, steps);
    const x0 = testLatent(SIZE);
    const [traj] = await ddimInvert(predictor, schedule, [x0], [{}]);
    // Full mask: pure DDIM sampling from z_T, nothing pasted.
    const [back] = await maskedDdimSample(predictor, schedule, [{ start: traj[0], trajectory: traj, mask: ALL, conditioning: {} }]);
    const err = rms(back, x0);
    console.log(`DDIM inversion round trip, ${steps} steps: RMS error ${err.toExponential(2)} (x0 RMS ${rms(x0, new Float32Array(SIZE)).toFixed(2)})`);
    expect(err).toBeLessThan(0.1);
    expect(predictor.evaluations).toBe(2 * steps);
  });

  it('a zero mask keeps the latent exactly x0 whatever the start', async () => {
    const predictor = new GaussianDataPredictor(SHAPE);
    const schedule = new SamplingSchedule(SD15_SCHEDULER, 10);
    const x0 = testLatent(SIZE);
    const [traj] = await ddimInvert(predictor, schedule, [x0], [{}]);
    const [out] = await maskedDdimSample(predictor, schedule, [{ start: testLatent(SIZE, 9, 1), trajectory: traj, mask: new Uint8Array(64), conditioning: {} }]);
    expect(Buffer.from(out.buffer).equals(Buffer.from(x0.buffer))).toBe(true);
  });
});

describe('keyed sign flip', () => {
  const secret = new Uint8Array(32).map((_, i) => i * 13 + 1);
  const wrong = new Uint8Array(32).map((_, i) => i * 13 + 2);
  const mask = new Uint8Array(64).map((_, i) => (Math.floor(i / 8) >= 2 && Math.floor(i / 8) < 6 ? 1 : 0));

  it('the right key reverses the flip exactly; outside the mask nothing changes', () => {
    const z = testLatent(SIZE, 3, 1);
    const key = signFlipKey(secret, { track: 1, frame: 0 }, SIZE);
    const flipped = signFlip(z, key, mask);
    for (let i = 0; i < SIZE; i++) if (!mask[i % 64]) expect(flipped[i]).toBe(z[i]);
    expect(Buffer.from(signFlip(flipped, key, mask).buffer).equals(Buffer.from(z.buffer))).toBe(true);
  });

  it('a wrong key leaves about half the masked signs wrong', () => {
    const n = 3 * 64 * 64;
    const m = new Uint8Array(64 * 64).fill(1);
    const z = testLatent(n, 5, 1);
    const flipped = signFlip(z, signFlipKey(secret, { track: 1, frame: 0 }, n), m);
    const back = signFlip(flipped, signFlipKey(wrong, { track: 1, frame: 0 }, n), m);
    let wrongSigns = 0;
    for (let i = 0; i < n; i++) if (Math.sign(back[i]) !== Math.sign(z[i])) wrongSigns++;
    expect(wrongSigns / n).toBeGreaterThan(0.47);
    expect(wrongSigns / n).toBeLessThan(0.53);
  });

  it('keys are ±1, balanced, deterministic, and differ per track and frame', () => {
    const n = 10000;
    const k = signFlipKey(secret, { track: 1, frame: 0 }, n);
    expect(k.every((v) => v === 1 || v === -1)).toBe(true);
    const neg = k.filter((v) => v < 0).length / n;
    expect(neg).toBeGreaterThan(0.47);
    expect(neg).toBeLessThan(0.53);
    expect(signFlipKey(secret, { track: 1, frame: 0 }, n)).toEqual(k);
    const agree = (a: Int8Array) => a.filter((v, i) => v === k[i]).length / n;
    expect(agree(signFlipKey(secret, { track: 2, frame: 0 }, n))).toBeLessThan(0.53);
    expect(agree(signFlipKey(secret, { track: 1, frame: 1 }, n))).toBeLessThan(0.53);
  });

  it('each video salt gives the same track and frame an unrelated key; the same salt the same key', () => {
    const n = 10000, id = { track: 1, frame: 0 };
    const saltA = new Uint8Array(16).fill(1), saltB = new Uint8Array(16).fill(2);
    const k = signFlipKey(videoFlipSecret(secret, saltA), id, n);
    expect(signFlipKey(videoFlipSecret(secret, Uint8Array.from(saltA)), id, n)).toEqual(k);
    const agree = (a: Int8Array) => a.filter((v, i) => v === k[i]).length / n;
    expect(agree(signFlipKey(videoFlipSecret(secret, saltB), id, n))).toBeLessThan(0.53);
    expect(agree(signFlipKey(videoFlipSecret(secret, saltB), id, n))).toBeGreaterThan(0.47);
    expect(agree(signFlipKey(secret, id, n))).toBeLessThan(0.53);
    expect(videoFlipSecret(secret, saltA)).toHaveLength(32);
  });

  it('flip → masked DDIM regenerates only the masked region, deterministically', async () => {
    const schedule = new SamplingSchedule(SD15_SCHEDULER, 10);
    const run = async (): Promise<Float32Array> => {
      const predictor = new GaussianDataPredictor(SHAPE);
      const x0 = testLatent(SIZE);
      const [traj] = await ddimInvert(predictor, schedule, [x0], [{}]);
      const start = signFlip(traj[0], signFlipKey(secret, { track: 1, frame: 0 }, SIZE), mask);
      const [out] = await maskedDdimSample(predictor, schedule, [{ start, trajectory: traj, mask, conditioning: {} }]);
      return out;
    };
    const [a, b] = await Promise.all([run(), run()]);
    expect(Buffer.from(a.buffer).equals(Buffer.from(b.buffer))).toBe(true);
    const x0 = testLatent(SIZE);
    let inside = 0;
    for (let i = 0; i < SIZE; i++) {
      if (mask[i % 64]) inside = Math.max(inside, Math.abs(a[i] - x0[i]));
      else expect(a[i]).toBe(x0[i]);
    }
    expect(inside).toBeGreaterThan(0.3);
  });
});
