/**
 * Converts a set of models into the store ahead of time (`nullcam models install`), so the first video
 * does not pay for conversion. The CLI owns argument parsing and printing; this owns the loop.
 */
import { NullcamError } from '../errors.js';
import type { ModelStore } from './model-store.js';

/** The face models nullcam uses, in the order they are needed. */
export const FACE_MODELS: readonly string[] = Object.freeze([
  'blazeface',
  'blazeface-back',
  'blazeface-front',
  'facemesh-detection-short',
  'facemesh-detection-full',
  'facemesh',
  'faceres',
  'mobilefacenet',
  'faceboxes',
]);

export interface InstallResult {
  readonly name: string;
  readonly path: string;
  /** False when the cached conversion was already current. */
  readonly converted: boolean;
  /** Wall time for this model, including hashing and conversion. */
  readonly ms: number;
}

/**
 * Ensures every named model, one after another (conversion is CPU-bound; two at once only contend).
 * @param store the model store
 * @param names models to install (default FACE_MODELS)
 * @param onResult called after each model, for progress output
 * @returns one result per model that installed
 * @throws NullcamError after trying all names, listing each that failed with its reason (first failure as cause)
 */
export async function installModels(
  store: ModelStore,
  names: readonly string[] = FACE_MODELS,
  onResult?: (result: InstallResult) => void,
): Promise<InstallResult[]> {
  const results: InstallResult[] = [];
  const failures: Array<{ name: string; error: unknown }> = [];
  for (const name of names) {
    const start = performance.now();
    try {
      const ensured = await store.ensure(name);
      const result = { name, path: ensured.path, converted: ensured.converted, ms: performance.now() - start };
      results.push(result);
      onResult?.(result);
    } catch (error) {
      failures.push({ name, error });
    }
  }
  if (failures.length) {
    const lines = failures.map((f) => `${f.name}: ${f.error instanceof Error ? f.error.message : String(f.error)}`);
    throw new NullcamError(`Could not install ${failures.length} of ${names.length} models:\n${lines.join('\n')}`, 1, { cause: failures[0].error });
  }
  return results;
}
