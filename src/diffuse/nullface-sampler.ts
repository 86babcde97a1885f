/**
 * NullFace's denoising loop (inversion_reverse_process, inversion_utils.py:322-451): from the inversion's
 * sample at τ_0, each step predicts ε under the null and the identity condition, mixes them by guidance and
 * mask, and takes a DDPM step (η = 1) that adds the stored noise map z_τ. The CFG pair of every face goes into
 * one batched model call per step (the authors make two batch-1 calls), and the first step's null branch is
 * the inversion's own prediction, so it is not evaluated again.
 */
import { guidedNoise } from './classifier-free-guidance.js';
import { ddimStep } from './ddim-step.js';
import type { EditFriendlyInversion } from './edit-friendly-inversion.js';
import type { Conditioning, NoisePredictor } from './noise-predictor.js';
import type { SamplingSchedule } from './sampling-schedule.js';

export interface NullFaceJob {
  readonly inversion: EditFriendlyInversion;
  /** Latent H×W, 1 = anonymize, 0 = keep (the null branch there). */
  readonly mask: Uint8Array;
  /** The condition the inversion used (empty text + projected zero identity). */
  readonly nullCondition: Conditioning;
  /** Empty text + the projected, negated, scaled identity. */
  readonly identityCondition: Conditioning;
}

export interface NullFaceGuidance {
  /** λ_cfg (NullFace: 10). */
  readonly lambdaCfg: number;
  /** Steps at the start that guide the whole latent before the mask applies (NullFace: 10 of 30). */
  readonly maskDelay: number;
}

/** @returns the clean latent of every job */
export async function nullfaceSample(predictor: NoisePredictor, schedule: SamplingSchedule, jobs: readonly NullFaceJob[], guidance: NullFaceGuidance): Promise<Float32Array[]> {
  const xs = jobs.map((j) => j.inversion.noisy[0]);
  const size = xs[0]?.length ?? 0;
  for (let i = 0; i < schedule.length; i++) {
    // 1. Model: [null, identity] per job; at i = 0 the null ε is the inversion's (same x, τ and condition).
    const reuse = i === 0;
    const per = reuse ? 1 : 2;
    const batch = new Float32Array(jobs.length * per * size);
    const conditioning: Conditioning[] = [];
    jobs.forEach((job, j) => {
      for (let p = 0; p < per; p++) batch.set(xs[j], (j * per + p) * size);
      if (!reuse) conditioning.push(job.nullCondition);
      conditioning.push(job.identityCondition);
    });
    const eps = await predictor.predictNoise(batch, conditioning.map(() => schedule.timesteps[i]), conditioning);
    jobs.forEach((job, j) => {
      const epsU = reuse ? job.inversion.firstEps : eps.subarray(j * 2 * size, (j * 2 + 1) * size);
      const epsC = eps.subarray((j * per + per - 1) * size, (j * per + per) * size);
      // 2. Guidance: everywhere for the first maskDelay steps, then only inside the mask.
      const e = guidedNoise(epsU, epsC, guidance.lambdaCfg, i >= guidance.maskDelay ? job.mask : undefined);
      // 3. DDPM step with the stored map.
      xs[j] = ddimStep(xs[j], e, schedule.alphaBars[i], schedule.alphaBars[i + 1], 1, job.inversion.noiseMaps[i]);
    });
  }
  return xs;
}
