/**
 * tfjs (wasm backend) behind the ModelRunner seam: the reference the detector evaluation used before the
 * ONNX converter existed, and the oracle for models the converter cannot take (faceboxes' control flow).
 * Dev-only: production never imports tfjs.
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { ModelRunner, TensorData } from '../src/track/model-runner.js';

let ready: Promise<void> | undefined;

/** Loads a TFJS graph model from disk (model.json + shards) on the wasm backend. */
export async function loadTfjsModel(modelJson: string): Promise<tf.GraphModel> {
  ready ??= tf.setBackend('wasm').then(() => tf.ready());
  await ready;
  const json = JSON.parse(readFileSync(modelJson, 'utf8'));
  const handler: tf.io.IOHandler = {
    load: async () =>
      tf.io.getModelArtifactsForJSON(json, async (manifest) => {
        const specs = manifest.flatMap((g) => g.weights);
        const all = Buffer.concat(manifest.flatMap((g) => g.paths.map((p) => readFileSync(path.join(path.dirname(modelJson), p)))));
        return [specs, all.buffer.slice(all.byteOffset, all.byteOffset + all.byteLength) as ArrayBuffer];
      }),
  };
  return tf.loadGraphModel(handler);
}

export function tfjsRunner(model: tf.GraphModel): ModelRunner {
  const inputNames = model.inputs.map((i) => i.name);
  const outputNames = [...model.outputNodes];
  return {
    inputNames,
    outputNames,
    async run(feeds) {
      const inputs: Record<string, tf.Tensor> = {};
      for (const [k, v] of Object.entries(feeds)) inputs[k] = tf.tensor(v.data, [...v.dims], 'float32');
      const out = model.execute(inputs, outputNames);
      const list = Array.isArray(out) ? out : [out];
      const result: Record<string, TensorData> = {};
      for (let i = 0; i < list.length; i++) {
        result[outputNames[i]] = { data: (await list[i].data()) as Float32Array, dims: list[i].shape };
      }
      tf.dispose([...Object.values(inputs), ...list]);
      return result;
    },
  };
}
