/**
 * Edit-friendly DDPM inversion (Huberman-Spiegelglas et al. 2024; NullFace's inversion_utils.py:143-271),
 * η = 1. The noisy samples are *not* chained: x_τ = √ᾱ_τ·x₀ + √(1−ᾱ_τ)·ε_τ with independent ε_τ, so every
 * level's model call is independent and all of them go into one batch. Each step's noise map
 *
 *   z_τ = (x_prev(τ) − μ_τ(x_τ, ε̂)) / σ_τ,
 *
 * is exactly what the DDPM sampler must add to land on x_prev again, so sampling with the same condition and
 * these maps reproduces x₀ (to float rounding), and a changed condition edits only what it changes.
 *
 * Deviation from the authors' code: they zero the last map (τ = 1); it is kept here, so T_skip → N and the
 * null condition reproduce the input exactly. The ε_τ come from the caller (a keyed per-track stream,
 * gaussian-noise.ts) instead of an unseeded torch.randn_like, which makes runs reproducible.
 */
import { ddimMean, posteriorStd } from './ddim-step.js';
import type { Conditioning, NoisePredictor } from './noise-predictor.js';
import type { SamplingSchedule } from './sampling-schedule.js';

export interface EditFriendlyInversion {
  /** x at each level i < length (x_{τ_i}); [0] is where sampling starts. */
  readonly noisy: Float32Array[];
  /** z at each level i < length, used by the step from level i to i + 1. */
  readonly noiseMaps: Float32Array[];
  /** ε̂ at level 0 under the inversion's condition: the sampler's first null-branch call, already paid for. */
  readonly firstEps: Float32Array;
}

/**
 * @param x0s clean latents, one per job
 * @param noise per job, `schedule.length` maps of ε_τ (N(0, 1), latent-sized), level order
 * @param conditioning the inversion's condition per job (NullFace: the null condition)
 */
export async function editFriendlyInvert(
  predictor: NoisePredictor,
  schedule: SamplingSchedule,
  x0s: readonly Float32Array[],
  noise: readonly (readonly Float32Array[])[],
  conditioning: readonly Conditioning[],
): Promise<EditFriendlyInversion[]> {
  const n = schedule.length;
  const size = x0s[0]?.length ?? 0;
  const noisy = x0s.map((x0, j) =>
    Array.from({ length: n }, (_, i) => {
      const a = Math.sqrt(schedule.alphaBars[i]), b = Math.sqrt(1 - schedule.alphaBars[i]);
      const x = new Float32Array(size);
      const e = noise[j][i];
      for (let k = 0; k < size; k++) x[k] = a * x0[k] + b * e[k];
      return x;
    }),
  );
  // One batch: every level of every job (levels are independent).
  const batch = new Float32Array(x0s.length * n * size);
  noisy.forEach((xs, j) => xs.forEach((x, i) => batch.set(x, (j * n + i) * size)));
  const timesteps = x0s.flatMap(() => schedule.timesteps);
  const eps = await predictor.predictNoise(batch, timesteps, x0s.flatMap((_, j) => Array<Conditioning>(n).fill(conditioning[j])));
  return noisy.map((xs, j) => {
    const noiseMaps = xs.map((x, i) => {
      const e = eps.subarray((j * n + i) * size, (j * n + i + 1) * size);
      const abT = schedule.alphaBars[i], abPrev = schedule.alphaBars[i + 1];
      const mu = ddimMean(x, e, abT, abPrev, 1);
      const prev = i + 1 < n ? xs[i + 1] : x0s[j];
      const sigma = posteriorStd(abT, abPrev);
      for (let k = 0; k < size; k++) mu[k] = (prev[k] - mu[k]) / sigma;
      return mu;
    });
    return { noisy: xs, noiseMaps, firstEps: eps.slice(j * n * size, (j * n + 1) * size) };
  });
}
