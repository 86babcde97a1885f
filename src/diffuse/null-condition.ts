/**
 * The null condition every method's unguided UNet calls use: the bundle's empty-text context plus the
 * projection of a zero identity (bias-driven tokens, not zeros: sd15-architecture.md), or nothing for an
 * unconditional bundle.
 */
import type { ModelBundle } from './model-bundle.js';
import type { Conditioning } from './noise-predictor.js';

export async function nullCondition(bundle: Pick<ModelBundle, 'nullText' | 'projector'>): Promise<Conditioning> {
  const identity = bundle.projector ? await bundle.projector.project(new Float32Array(bundle.projector.embeddingSize)) : undefined;
  return { ...(bundle.nullText ? { text: bundle.nullText } : {}), ...(identity ? { identity } : {}) };
}
