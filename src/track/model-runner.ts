/**
 * The one seam between the track stage and whatever executes a model. Production wraps an ONNX session
 * (`src/models/`); the detector evaluation wraps tfjs as a reference. The detector, landmarker and
 * embedder see only float tensors in the models' TFJS contract (NHWC, the TFJS input and output names);
 * this file is the only one in src/track that touches onnxruntime.
 */
import * as ort from 'onnxruntime-node';
import type { OnnxModel } from '../models/onnx-session.js';

/** A dense float32 tensor: row-major `data` with shape `dims`. */
export interface TensorData {
  readonly data: Float32Array;
  readonly dims: readonly number[];
}

export interface ModelRunner {
  /** Input names in the model's order; face models have exactly one. */
  readonly inputNames: readonly string[];
  /** Output names; decoders find outputs by shape, not by name, so a renamed output still decodes. */
  readonly outputNames: readonly string[];
  /** Whether inputs should be in shared memory (InputBuffers `shared`): a runner on another thread then reads them without a copy. */
  readonly sharedInputs?: boolean;
  /** The caller may reuse `feeds`' arrays once the run settled (input-buffers.ts): a runner must not keep them. */
  run(feeds: Readonly<Record<string, TensorData>>): Promise<Record<string, TensorData>>;
}

/** Runs a one-input model on an NHWC batch of one. */
export async function runImage(runner: ModelRunner, pixels: Float32Array, height: number, width: number): Promise<TensorData[]> {
  const name = runner.inputNames[0];
  if (runner.inputNames.length !== 1) {
    throw new Error(`Expected a model with one input but it has ${runner.inputNames.length}: ${runner.inputNames.join(', ')}`);
  }
  const out = await runner.run({ [name]: { data: pixels, dims: [1, height, width, 3] } });
  return runner.outputNames.map((n) => {
    const t = out[n];
    if (!t) throw new Error(`Model output ${n} missing; got ${Object.keys(out).join(', ')}`);
    return t;
  });
}

/**
 * A ModelRunner over an ONNX session from src/models (converted models keep the TFJS names and NHWC dims).
 * @param model an `OnnxModel` (or anything with its shape); the caller keeps ownership and disposes it
 */
export function onnxModelRunner(model: Pick<OnnxModel, 'inputNames' | 'outputNames' | 'run'> & { readonly sharedInputs?: boolean }): ModelRunner {
  return {
    inputNames: model.inputNames,
    outputNames: model.outputNames,
    sharedInputs: model.sharedInputs,
    async run(feeds) {
      const tensors: Record<string, ort.Tensor> = {};
      for (const [name, t] of Object.entries(feeds)) tensors[name] = new ort.Tensor('float32', t.data, [...t.dims]);
      const out = await model.run(tensors);
      const result: Record<string, TensorData> = {};
      for (const [name, t] of Object.entries(out)) {
        if (t.type !== 'float32') throw new Error(`ONNX output ${name} is ${t.type}; face models emit float32`);
        result[name] = { data: t.data as Float32Array, dims: t.dims };
      }
      return result;
    },
  };
}
