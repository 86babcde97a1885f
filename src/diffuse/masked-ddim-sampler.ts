/**
 * The secure method's regeneration (diffusion.py:185-212): deterministic DDIM sampling from a sign-flipped
 * z_T that, after every step, pastes the inversion trajectory back outside the mask (RePaint-style), so the
 * latent outside the face ends exactly at the input's x₀. One batched model call per step for all jobs.
 */
import { ddimStep } from './ddim-step.js';
import type { Conditioning, NoisePredictor } from './noise-predictor.js';
import type { SamplingSchedule } from './sampling-schedule.js';

export interface MaskedDdimJob {
  /** Where sampling starts (the flipped z_T). */
  readonly start: Float32Array;
  /** The inversion trajectory by level (ddimInvert's result); [schedule.length] is x₀. */
  readonly trajectory: readonly Float32Array[];
  /** Latent H×W, 1 = regenerate, 0 = keep the trajectory. */
  readonly mask: Uint8Array;
  readonly conditioning: Conditioning;
}

/** @returns the clean latent of every job */
export async function maskedDdimSample(predictor: NoisePredictor, schedule: SamplingSchedule, jobs: readonly MaskedDdimJob[]): Promise<Float32Array[]> {
  const xs = jobs.map((j) => j.start);
  const size = xs[0]?.length ?? 0;
  for (let i = 0; i < schedule.length; i++) {
    const batch = new Float32Array(jobs.length * size);
    xs.forEach((x, j) => batch.set(x, j * size));
    const eps = await predictor.predictNoise(batch, jobs.map(() => schedule.timesteps[i]), jobs.map((j) => j.conditioning));
    jobs.forEach((job, j) => {
      const x = ddimStep(xs[j], eps.subarray(j * size, (j + 1) * size), schedule.alphaBars[i], schedule.alphaBars[i + 1]);
      const known = job.trajectory[i + 1];
      const hw = job.mask.length;
      for (let k = 0; k < size; k++) if (!job.mask[k % hw]) x[k] = known[k];
      xs[j] = x;
    });
  }
  return xs;
}
