/**
 * One step of the generalized DDIM update (Song et al. 2021, eq. 12) between two noise levels, for one
 * latent: η = 0 is deterministic DDIM, η = 1 is the DDPM posterior sample. The noise is always passed in,
 * never drawn here, so inversion and replay of the stored noise maps are deterministic. Pure.
 *
 * | code     | paper          |
 * |----------|----------------|
 * | x        | x_t            |
 * | eps      | ε_θ(x_t, t)    |
 * | abT      | ᾱ_t            |
 * | abPrev   | ᾱ_{t−1} (the next level of the schedule) |
 * | sigma    | σ_t            |
 * | noise    | z_t            |
 */

/** σ_t with η = 1: √((1−ᾱ_{t−1})/(1−ᾱ_t) · (1 − ᾱ_t/ᾱ_{t−1})). SD 1.5, 100 steps: σ₂₉₁ ≈ 0.1606, σ₁ ≈ 0.0206. */
export function posteriorStd(abT: number, abPrev: number): number {
  return Math.sqrt(((1 - abPrev) / (1 - abT)) * (1 - abT / abPrev));
}

/**
 * The deterministic part of the step, μ = √ᾱ_{t−1}·x̂₀ + √(1 − ᾱ_{t−1} − η²σ²)·ε with x̂₀ = (x − √(1−ᾱ_t)·ε)/√ᾱ_t.
 * With abPrev > abT this is a DDIM inversion step (η must then be 0). Writes `out` (may alias x or eps).
 */
export function ddimMean(x: Float32Array, eps: Float32Array, abT: number, abPrev: number, eta: number, out = new Float32Array(x.length)): Float32Array {
  const sigma = eta === 0 ? 0 : eta * posteriorStd(abT, abPrev);
  const sa = Math.sqrt(abT), s1 = Math.sqrt(1 - abT);
  const sap = Math.sqrt(abPrev), dir = Math.sqrt(Math.max(0, 1 - abPrev - sigma * sigma));
  for (let i = 0; i < x.length; i++) {
    const x0 = (x[i] - s1 * eps[i]) / sa; // (eq. 12, "predicted x₀")
    out[i] = sap * x0 + dir * eps[i]; // (eq. 12, "direction pointing to x_t" added)
  }
  return out;
}

/**
 * x_{t−1} = μ + η·σ_t·z (eq. 12). Writes `out` (may alias x).
 * @param noise z, required when eta > 0
 */
export function ddimStep(x: Float32Array, eps: Float32Array, abT: number, abPrev: number, eta = 0, noise?: Float32Array, out = new Float32Array(x.length)): Float32Array {
  ddimMean(x, eps, abT, abPrev, eta, out);
  if (eta === 0) return out;
  if (!noise) throw new Error('ddimStep: eta > 0 needs the noise map z');
  const s = eta * posteriorStd(abT, abPrev);
  for (let i = 0; i < out.length; i++) out[i] += s * noise[i];
  return out;
}
