/**
 * Deterministic DDIM inversion (η = 0), the secure method's encoder from a clean latent to z_T
 * (flip_anonymizer.py:220-223 with diffusers' DDIMInverseScheduler): walk the schedule's levels backwards,
 * each step evaluating ε at the *target* timestep on the lower sample, the usual first-order approximation.
 * Not an exact inverse of DDIM sampling: the round-trip error is measured in test/diffuse/ddim-inversion.test.ts.
 * Many latents invert together, one batched model call per step.
 */
import { ddimMean } from './ddim-step.js';
import type { Conditioning, NoisePredictor } from './noise-predictor.js';
import type { SamplingSchedule } from './sampling-schedule.js';

/**
 * @param x0s clean latents, one per job
 * @param conditioning one per job ({} for unconditional models)
 * @returns per job, the trajectory by level: [i] is the sample at timestep τ_i (so [0] is z_T), and
 *   [schedule.length] is x0 itself, the clean end
 */
export async function ddimInvert(predictor: NoisePredictor, schedule: SamplingSchedule, x0s: readonly Float32Array[], conditioning: readonly Conditioning[]): Promise<Float32Array[][]> {
  const n = schedule.length;
  const size = x0s[0]?.length ?? 0;
  const trajectories = x0s.map((x0) => {
    const t: Float32Array[] = new Array(n + 1);
    t[n] = x0;
    return t;
  });
  for (let i = n - 1; i >= 0; i--) {
    const batch = new Float32Array(x0s.length * size);
    trajectories.forEach((t, j) => batch.set(t[i + 1], j * size));
    const eps = await predictor.predictNoise(batch, x0s.map(() => schedule.timesteps[i]), conditioning);
    trajectories.forEach((t, j) => {
      t[i] = ddimMean(t[i + 1], eps.subarray(j * size, (j + 1) * size), schedule.alphaBars[i + 1], schedule.alphaBars[i], 0);
    });
  }
  return trajectories;
}
