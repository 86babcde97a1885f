/**
 * Builds the anonymizer --mode asks for: a classic CPU mode, or the diffusion engine on a model bundle,
 * with the classic blur as its fail-closed cover. Checks everything a diffusion run needs (bundle
 * directory, key file) before any frame is decoded, so a missing piece fails at start in one line.
 */
import { isDiffusionMode } from '../anonymize/anonymize-mode.js';
import type { Anonymizer } from '../anonymize/anonymizer.js';
import { classicAnonymizer, type ClassicMode } from '../anonymize/classic-anonymizer.js';
import { parseHexColour } from '../anonymize/solid-fill.js';
import type { Config } from '../config/config-schema.js';
import { DiffusionAnonymizer } from '../diffuse/diffusion-anonymizer.js';
import type { ModelBundle } from '../diffuse/model-bundle.js';
import { NullcamError } from '../errors.js';

/** Opens a bundle directory on an execution provider preference ("auto", "cpu", "cuda", "webgpu"). */
export type BundleLoader = (dir: string, executionProvider: Config['runtime']['executionProvider']) => Promise<ModelBundle>;

export interface BuiltAnonymizer {
  readonly anonymizer: Anonymizer;
  /** Extra fields for the run's final summary (the diffusion engine's cost and fallbacks). */
  summary(): Record<string, unknown>;
}

/** What to tell a user who picked a diffusion mode without a bundle. */
export const NO_BUNDLE_HINT = 'pass --model-dir DIR (or set diffuse.modelDir): a test bundle with random weights comes from "nullcam models make-test-bundle DIR", a real one is exported as README "Model bundles" describes';

/** A classic mode with the configured strength and colour (also what diffusion falls back to). */
export function classicFromConfig(config: Config, mode: ClassicMode): Anonymizer {
  return classicAnonymizer({ ...config.anonymize, mode, colour: parseHexColour(config.anonymize.colour)! });
}

/**
 * @param secret the master key (--key-file or --passphrase), which secure mode keys its sign flip with
 * @throws NullcamError when a diffusion mode lacks its bundle or key, or the bundle cannot serve the mode
 */
export async function anonymizerFromConfig(config: Config, loadBundle: BundleLoader, secret?: Uint8Array): Promise<BuiltAnonymizer> {
  const mode = config.mode;
  if (!isDiffusionMode(mode)) return { anonymizer: classicFromConfig(config, mode), summary: () => ({}) };

  const d = config.diffuse;
  if (!d.modelDir) throw new NullcamError(`--mode ${mode} needs a diffusion model bundle: ${NO_BUNDLE_HINT}.`, 2);
  if (mode === 'secure' && !secret) throw new NullcamError('--mode secure needs a secret key: pass --key-file FILE (make one with nullcam keygen -o FILE and keep it apart from the video) or --passphrase.', 2);
  if (mode === 'nullface' && d.tSkip >= d.steps) throw new NullcamError(`Expected diffuse.tSkip below diffuse.steps (${d.steps}) but received ${d.tSkip}: nothing would be denoised.`, 2);
  const bundle = await loadBundle(d.modelDir, config.runtime.executionProvider);
  let engine: DiffusionAnonymizer;
  try {
    engine = new DiffusionAnonymizer(bundle, {
      method: mode,
      steps: mode === 'secure' ? d.secureSteps : d.steps,
      tSkip: d.tSkip,
      lambdaCfg: d.lambdaCfg,
      lambdaId: d.lambdaId,
      maskDelay: d.maskDelay,
      keyframeInterval: d.keyframeInterval,
      maxBatch: d.maxBatch,
      seed: Buffer.from(`nullcam seed ${d.seed}`, 'utf8'),
      ...(mode === 'secure' ? { secret: secret! } : {}),
      fallback: classicFromConfig(config, 'blur'),
    });
  } catch (err) {
    await bundle.close();
    throw err;
  }
  return {
    anonymizer: engine,
    summary() {
      const s = engine.stats();
      return {
        unet_evals_per_face_frame: s.faceFrames > 0 ? Math.round((s.unetEvaluations / s.faceFrames) * 100) / 100 : 0,
        unet_evals: s.unetEvaluations,
        diffusion_keyframes: s.keyframes,
        diffusion_box_aligned_faces: s.boxAligned,
        diffusion_fallback_faces: s.fallbacks,
        execution_provider: bundle.executionProvider,
        ...(s.firstError ? { diffusion_error: s.firstError } : {}),
      };
    },
  };
}
