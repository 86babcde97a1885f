/**
 * The noise levels one sampler run visits: the N-step timestep grid with the first T_skip steps dropped,
 * and ᾱ at every level, including the final one below the last timestep. Pure.
 *
 * Level i (0 ≤ i < length) is timestep τ_i; level `length` is the clean end, whose ᾱ is ᾱ₀ as in diffusers
 * with set_alpha_to_one = false (SD 1.5, and NullFace's code). A step goes from level i to i + 1, so the
 * "previous timestep" is always the next grid entry: for leading spacing that is diffusers' τ − T/N, and for
 * linspace spacing (uneven gaps) it is what the grid means rather than diffusers' approximation.
 */
import { invalidParameterError } from '../errors.js';
import type { SchedulerConfig } from './model-bundle.js';
import { alphasCumprod, inferenceTimesteps } from './noise-schedule.js';

export class SamplingSchedule {
  /** Timesteps visited, highest first (τ_0 = the start after skipping). */
  readonly timesteps: readonly number[];
  /** ᾱ per level, length + 1 entries; the last is the clean end (ᾱ₀). */
  readonly alphaBars: Float64Array;

  /**
   * @param steps N, the grid's number of steps (NullFace: 100; its T_skip = 70 leaves 30)
   * @param skip T_skip, the grid's first steps left out (0 for a full run from τ ≈ T)
   * @throws NullcamError when skip is not an integer in 0..steps−1
   */
  constructor(config: SchedulerConfig, steps: number, skip = 0) {
    const grid = inferenceTimesteps(config, steps);
    if (!Number.isInteger(skip) || skip < 0 || skip >= steps) throw invalidParameterError('tSkip', `an integer from 0 to ${steps - 1}`, skip);
    const ab = alphasCumprod(config);
    this.timesteps = Object.freeze(grid.slice(skip));
    this.alphaBars = new Float64Array(this.timesteps.length + 1);
    this.timesteps.forEach((t, i) => (this.alphaBars[i] = ab[t]));
    this.alphaBars[this.timesteps.length] = ab[0];
  }

  /** Number of steps from the start to the clean end. */
  get length(): number {
    return this.timesteps.length;
  }
}
