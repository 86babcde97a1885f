/**
 * A track's identity estimate for NullFace: the embeddings of its sharpest frames seen so far (variance of
 * the Laplacian of the aligned crop), averaged after normalization. One blurred or half-turned frame then
 * does not decide which identity the whole track is pushed away from. Pure.
 */
import { negatedIdentity } from './identity-condition.js';

/** Frames kept: enough to average out pose and blur, few enough that an early bad frame is soon replaced. */
const KEEP = 8;

export class TrackIdentity {
  private readonly samples: { embedding: Float32Array; sharpness: number }[] = [];
  private condition?: Float32Array;

  /** @param lambdaId λ_id, the scale of the negated identity */
  constructor(private readonly lambdaId: number) {}

  get size(): number {
    return this.samples.length;
  }

  /** Adds a frame's embedding; it replaces the least sharp one when the set is full and it is sharper. */
  add(embedding: Float32Array, sharpness: number): void {
    if (this.samples.length >= KEEP) {
      let worst = 0;
      for (let i = 1; i < this.samples.length; i++) if (this.samples[i].sharpness < this.samples[worst].sharpness) worst = i;
      if (this.samples[worst].sharpness >= sharpness) return;
      this.samples.splice(worst, 1);
    }
    this.samples.push({ embedding, sharpness });
    this.condition = undefined;
  }

  /** −λ_id·ê; the same array until the set changes, so the projected tokens can be cached by identity. */
  negated(): Float32Array {
    this.condition ??= negatedIdentity(this.samples.map((s) => s.embedding), this.lambdaId);
    return this.condition;
  }
}

/**
 * Variance of the 4-neighbour Laplacian of the crop's luminance (the mean of R, G, B).
 * @param crop NCHW RGB, size×size
 */
export function laplacianVariance(crop: Float32Array, size: number): number {
  const n = size * size;
  const g = new Float32Array(n);
  for (let i = 0; i < n; i++) g[i] = (crop[i] + crop[n + i] + crop[2 * n + i]) / 3;
  let sum = 0, sq = 0, count = 0;
  for (let y = 1; y < size - 1; y++) {
    for (let x = 1; x < size - 1; x++) {
      const i = y * size + x;
      const l = g[i - 1] + g[i + 1] + g[i - size] + g[i + size] - 4 * g[i];
      sum += l;
      sq += l * l;
      count++;
    }
  }
  return count ? sq / count - (sum / count) ** 2 : 0;
}
