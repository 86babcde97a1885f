/**
 * NullFace's guidance (inversion_utils.py:436-444): classifier-free guidance between the null condition and
 * the negated identity, ε_cfg = ε_u + λ_cfg·(ε_c − ε_u), applied only inside the region mask once the mask
 * is active (outside it the null prediction keeps the inversion's path). Pure.
 */

/**
 * @param epsU null-condition prediction, one latent C×H×W
 * @param epsC identity-condition prediction
 * @param lambda λ_cfg (NullFace: 10; 1 gives ε_c)
 * @param mask H×W, 1 = anonymize; undefined applies guidance everywhere (the first maskDelay steps)
 * @returns a new latent-sized array
 */
export function guidedNoise(epsU: Float32Array, epsC: Float32Array, lambda: number, mask?: Uint8Array): Float32Array {
  const out = new Float32Array(epsU.length);
  const hw = mask?.length ?? 1;
  for (let i = 0; i < out.length; i++) out[i] = !mask || mask[i % hw] ? epsU[i] + lambda * (epsC[i] - epsU[i]) : epsU[i];
  return out;
}
