/**
 * Noise predictors with a closed form, for testing the diffusion math without a model: the exact ε of data
 * drawn from N(μ, s²) per entry, ε*(x, t) = √(1−ᾱ_t)·(x − √ᾱ_t·μ) / (ᾱ_t·s² + 1 − ᾱ_t). The mean μ is read
 * from the conditioning (the first identity token value, 0 without one), so conditions change predictions.
 * These prove math and plumbing only; nothing here resembles a trained model.
 */
import { alphasCumprod } from '../../src/diffuse/noise-schedule.js';
import type { SchedulerConfig } from '../../src/diffuse/model-bundle.js';
import type { Conditioning, LatentShape, NoisePredictor } from '../../src/diffuse/noise-predictor.js';

export const SD15_SCHEDULER: SchedulerConfig = Object.freeze({
  numTrainTimesteps: 1000,
  betaStart: 0.00085,
  betaEnd: 0.012,
  betaSchedule: 'scaled_linear',
  stepsOffset: 1,
  timestepSpacing: 'leading',
});

export class GaussianDataPredictor implements NoisePredictor {
  calls = 0;
  evaluations = 0;
  private readonly ab: Float64Array;

  constructor(readonly latent: LatentShape, private readonly dataStd = 0.8, scheduler: SchedulerConfig = SD15_SCHEDULER) {
    this.ab = alphasCumprod(scheduler);
  }

  async predictNoise(latents: Float32Array, timesteps: readonly number[], conditioning: readonly Conditioning[]): Promise<Float32Array> {
    this.calls++;
    this.evaluations += timesteps.length;
    const size = latents.length / timesteps.length;
    const out = new Float32Array(latents.length);
    timesteps.forEach((t, j) => {
      const ab = this.ab[t];
      const mu = conditioning[j]?.identity?.[0] ?? 0;
      const k = Math.sqrt(1 - ab) / (ab * this.dataStd ** 2 + 1 - ab);
      for (let i = j * size; i < (j + 1) * size; i++) out[i] = k * (latents[i] - Math.sqrt(ab) * mu);
    });
    return out;
  }
}

/** A latent of standard-normal-ish deterministic values (sin hash), scaled. */
export function testLatent(size: number, seed = 1, scale = 0.8): Float32Array {
  const x = new Float32Array(size);
  for (let i = 0; i < size; i++) {
    const s = Math.sin((i + 1) * 12.9898 * seed + 78.233) * 43758.5453;
    x[i] = scale * 2 * Math.sqrt(3) * (s - Math.floor(s) - 0.5);
  }
  return x;
}

export function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}
