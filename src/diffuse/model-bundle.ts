/**
 * What a loaded model bundle gives the diffusion engine: the seams of noise-predictor.ts plus the bundle's
 * scheduler config, null conditions and identity encoder. The loader (src/diffuse/bundle/) builds one from a
 * directory with manifest.json; the engine (src/diffuse/) only ever sees this interface.
 */
import type { IdentityProjector, LatentCodec, NoisePredictor } from './noise-predictor.js';

/** The training noise schedule, in diffusers' terms (SD 1.5: 1000, 0.00085, 0.012, scaled_linear, offset 1). */
export interface SchedulerConfig {
  readonly numTrainTimesteps: number;
  readonly betaStart: number;
  readonly betaEnd: number;
  readonly betaSchedule: 'scaled_linear' | 'linear';
  /** Added to every "leading"-spaced timestep (SD 1.5: 1). */
  readonly stepsOffset: number;
  readonly timestepSpacing: 'leading' | 'trailing' | 'linspace';
}

/** The face recognizer the identity projection was trained on (IP-Adapter FaceID: ArcFace on 112² crops). */
export interface IdentityEncoder {
  /** Side in pixels of the aligned crop it takes. */
  readonly inputSize: number;
  /** Where the 5 alignment points (left eye, right eye, nose tip, left and right mouth corner) sit in the crop. */
  readonly template: readonly (readonly [number, number])[];
  /** @param crops NCHW RGB in [-1,1], `count` aligned crops @returns `count` embeddings, not normalized */
  embed(crops: Float32Array, count: number): Promise<Float32Array>;
  readonly embeddingSize: number;
}

export interface ModelBundle {
  readonly dir: string;
  /** manifest.json's family, e.g. "sd15-ip-adapter-faceid" or "test". */
  readonly family: string;
  readonly scheduler: SchedulerConfig;
  readonly predictor: NoisePredictor;
  readonly codec: LatentCodec;
  /** Present when the UNet takes identity tokens (NullFace); absent for unconditional bundles (secure mode). */
  readonly projector?: IdentityProjector;
  readonly identityEncoder?: IdentityEncoder;
  /** The constant text context of the empty prompt, tokens × dim (absent for unconditional bundles). */
  readonly nullText?: Float32Array;
  /** The onnxruntime execution provider the sessions run on ("cpu", "cuda", "webgpu"). */
  readonly executionProvider: string;
  close(): Promise<void>;
}
