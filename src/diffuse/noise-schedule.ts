/**
 * The training noise schedule and the inference timesteps a sampler walks: ᾱ_t for t = 0..T−1 from a β
 * schedule, and the descending timesteps for N steps under diffusers' three spacings. Pure.
 *
 * Checked against diffusers' SD 1.5 config (test/diffuse/noise-schedule.test.ts): ᾱ₁ = 0.998296,
 * ᾱ₂₉₁ = 0.605627, ᾱ₉₉₁ = 0.005130, and τ = 991, 981, …, 1 for 100 leading steps with offset 1.
 */
import { invalidParameterError } from '../errors.js';
import type { SchedulerConfig } from './model-bundle.js';

/**
 * ᾱ_t = Π_{s≤t} (1 − β_s), in float64 (diffusers computes in float32 and the test values agree to 1e-6).
 * scaled_linear: β = linspace(√β_start, √β_end, T)²; linear: β = linspace(β_start, β_end, T).
 */
export function alphasCumprod(config: SchedulerConfig): Float64Array {
  const T = config.numTrainTimesteps;
  const out = new Float64Array(T);
  const scaled = config.betaSchedule === 'scaled_linear';
  const a = scaled ? Math.sqrt(config.betaStart) : config.betaStart;
  const b = scaled ? Math.sqrt(config.betaEnd) : config.betaEnd;
  let prod = 1;
  for (let t = 0; t < T; t++) {
    const x = T === 1 ? a : a + ((b - a) * t) / (T - 1);
    prod *= 1 - (scaled ? x * x : x);
    out[t] = prod;
  }
  return out;
}

/**
 * The timesteps of an N-step sampler, highest first, as diffusers' DDIM/DDPM schedulers set them.
 * - leading: k·⌊T/N⌋ + offset for k = N−1..0 (SD 1.5, N = 100: 991, 981, …, 1)
 * - trailing: round(T − k·T/N) − 1 for k = 0..N−1 (999, 989, …, 9)
 * - linspace: round(linspace(0, T−1, N)), reversed
 * @throws NullcamError when steps is not an integer in 1..T
 */
export function inferenceTimesteps(config: SchedulerConfig, steps: number): number[] {
  const T = config.numTrainTimesteps;
  if (!Number.isInteger(steps) || steps < 1 || steps > T) throw invalidParameterError('steps', `an integer from 1 to ${T}`, steps);
  const out: number[] = [];
  if (config.timestepSpacing === 'leading') {
    const ratio = Math.floor(T / steps);
    for (let k = steps - 1; k >= 0; k--) out.push(k * ratio + config.stepsOffset);
  } else if (config.timestepSpacing === 'trailing') {
    for (let k = 0; k < steps; k++) out.push(roundHalfEven(T - (k * T) / steps) - 1);
  } else {
    for (let k = steps - 1; k >= 0; k--) out.push(roundHalfEven(steps === 1 ? 0 : (k * (T - 1)) / (steps - 1)));
  }
  return out;
}

/** numpy's round: halves go to the even neighbour, so spacings match diffusers on exact .5 values. */
function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}
