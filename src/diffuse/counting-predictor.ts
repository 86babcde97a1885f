/**
 * A NoisePredictor in front of the bundle's: splits a call into batches of at most `maxBatch` items (the
 * engine batches every face and CFG branch of a frame, which can exceed what fits on a device) and counts
 * UNet evaluations, the unit the engine's cost is reported in (unet_evals_per_face_frame).
 */
import type { Conditioning, NoisePredictor } from './noise-predictor.js';

export class CountingPredictor implements NoisePredictor {
  /** Batch items evaluated so far (a batch of 8 is 8 evaluations). */
  evaluations = 0;
  /** Model runs so far. */
  calls = 0;

  constructor(private readonly inner: NoisePredictor, private readonly maxBatch: number) {}

  get latent() {
    return this.inner.latent;
  }

  async predictNoise(latents: Float32Array, timesteps: readonly number[], conditioning: readonly Conditioning[]): Promise<Float32Array> {
    const n = timesteps.length;
    const size = latents.length / n;
    const out = new Float32Array(latents.length);
    for (let from = 0; from < n; from += this.maxBatch) {
      const to = Math.min(n, from + this.maxBatch);
      const eps = await this.inner.predictNoise(latents.subarray(from * size, to * size), timesteps.slice(from, to), conditioning.slice(from, to));
      out.set(eps, from * size);
      this.calls++;
      this.evaluations += to - from;
    }
    return out;
  }
}
