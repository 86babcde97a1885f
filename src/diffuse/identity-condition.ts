/**
 * NullFace's identity condition (face_embedding.py:60-105, anonymize_face.py:89-97): the L2-normalized
 * ArcFace embedding, negated ("away from self") and scaled by λ_id. For a track, the embeddings of its
 * sharpest frames are averaged first (each normalized, the mean renormalized), so one blurry frame does not
 * set the direction for the whole track. Pure.
 */

/**
 * @param embeddings one or more raw embeddings of the same face
 * @param lambdaId λ_id (NullFace: 1)
 * @returns −λ_id · normalize(mean(normalize(e)))
 * @throws Error when there is no embedding or they cancel out
 */
export function negatedIdentity(embeddings: readonly Float32Array[], lambdaId: number): Float32Array {
  if (embeddings.length === 0) throw new Error('negatedIdentity: no embedding');
  const mean = new Float32Array(embeddings[0].length);
  for (const e of embeddings) {
    const n = Math.hypot(...e);
    for (let i = 0; i < e.length; i++) mean[i] += e[i] / n;
  }
  const norm = Math.hypot(...mean);
  if (!(norm > 0)) throw new Error('negatedIdentity: the embeddings have no common direction');
  for (let i = 0; i < mean.length; i++) mean[i] *= -lambdaId / norm;
  return mean;
}
