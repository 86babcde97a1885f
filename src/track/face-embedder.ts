/**
 * Identity embedding of a face: faceres (HSE FaceRes via @vladmandic/human), 224² RGB in [0,255] → a
 * 1024-d descriptor, L2-normalized here. Used to check that an anonymized face no longer matches its
 * source identity, and to tell tracks apart. The crop is a square about the detector box, levelled on
 * the eyes when keypoints are given (the model is not roll-invariant).
 */
import type { Frame } from '../frame.js';
import { sampleRgb, type Affine } from './image-sampler.js';
import { InputBuffers } from '../models/input-buffers.js';
import { runImage, type ModelRunner, type TensorData } from './model-runner.js';
import { faceCropAffine, type FaceRoi } from './face-landmarks.js';
import { invalidParameterError } from '../errors.js';

/** ModelStore name of the embedding model; ships in @vladmandic/human (mobilefacenet only in the dev-only human-models). */
export const FACE_EMBEDDER_MODEL = 'faceres';

export const EMBEDDING_SIZE = 1024;
const INPUT = 224;

/**
 * Cosine similarity at or above which two embeddings are taken as the same person: the midpoint, rounded,
 * between the measured classes on real photos (scripts/eval-detectors.ts `embed`, docs/detector-eval.md,
 * default crop): same photo resized ½ / mirrored / JPEG q25 ≥ 0.69 (≥ 0.92 for faces of 90 px and up),
 * different people ≤ 0.47, the same face blurred σ=12 ≤ 0.21 or pixelated ×16 ≤ 0.09. Stylized CGI
 * characters sit closer: 0.70 same vs up to 0.63 different, so for them this threshold can merge people.
 */
export const SAME_PERSON_THRESHOLD = 0.6;

export interface FaceEmbedderOptions {
  /**
   * Crop side as a multiple of the detector box's larger side. Default 1.2: against human's 1.4 it kept
   * the same-person floor (0.69 vs 0.67) and pushed blurred faces further away (0.21 vs 0.28).
   */
  readonly cropScale: number;
}

export class FaceEmbedder {
  readonly options: Readonly<FaceEmbedderOptions>;
  private readonly inputs: InputBuffers;

  /**
   * @param runner executes faceres (TFJS contract: input [1,224,224,3] in [0,255]; a [1,1024] output)
   * @throws NullcamError when cropScale is not a positive number
   */
  constructor(private readonly runner: ModelRunner, options: Partial<FaceEmbedderOptions> = {}) {
    this.inputs = new InputBuffers(INPUT * INPUT * 3, runner.sharedInputs);
    const o = { cropScale: 1.2, ...options };
    if (!(o.cropScale > 0)) throw invalidParameterError('cropScale', 'a positive number', o.cropScale);
    this.options = Object.freeze(o);
  }

  /**
   * @param frame rgb24 or yuv420p
   * @param face box in frame pixels; the first two keypoints (right, left eye) level the crop when present
   * @returns EMBEDDING_SIZE floats with unit L2 norm
   */
  async embed(frame: Frame, face: FaceRoi): Promise<Float32Array> {
    const outputs = await this.inputs.use((input) => {
      const pixels = sampleRgb(frame, INPUT, INPUT, this.cropAffine(face), { scale: 255 }, input);
      return runImage(this.runner, pixels, INPUT, INPUT);
    });
    return l2Normalize(descriptor(outputs));
  }

  cropAffine(face: FaceRoi): Affine {
    return faceCropAffine(face, this.options.cropScale, INPUT);
  }
}

/**
 * Cosine similarity of two embeddings (their dot product when both are unit length, as embed() returns).
 * @returns value in [-1, 1]; 0 when either vector is all zeros
 * @throws Error when the lengths differ
 */
export function cosineSimilarity(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) throw new Error(`Expected embeddings of equal length but received ${a.length} and ${b.length}`);
  let dot = 0, na = 0, nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i] * b[i];
    na += a[i] * a[i];
    nb += b[i] * b[i];
  }
  return na > 0 && nb > 0 ? dot / Math.sqrt(na * nb) : 0;
}

function descriptor(outputs: readonly TensorData[]): Float32Array {
  const t = outputs.find((o) => o.dims[o.dims.length - 1] === EMBEDDING_SIZE);
  if (!t) throw new Error(`faceres outputs [${outputs.map((o) => `[${o.dims.join(',')}]`).join(' ')}] have no [..,${EMBEDDING_SIZE}] descriptor`);
  return t.data;
}

function l2Normalize(v: Float32Array): Float32Array {
  let n = 0;
  for (let i = 0; i < v.length; i++) n += v[i] * v[i];
  const out = new Float32Array(v.length);
  if (n === 0) return out;
  const s = 1 / Math.sqrt(n);
  for (let i = 0; i < v.length; i++) out[i] = v[i] * s;
  return out;
}
