/**
 * The reference oracle for converter tests: the same graph model run by tfjs on its wasm backend,
 * loaded from disk through a custom IO handler (tfjs-node does not install here).
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';

let ready: Promise<void> | undefined;

/** Switches tfjs to the wasm backend once per process. */
export function tfReady(): Promise<void> {
  ready ??= tf.setBackend('wasm').then(async (ok) => {
    if (!ok) throw new Error('tfjs wasm backend did not initialise');
    await tf.ready();
  });
  return ready;
}

/** Loads model.json and its shards from disk as a tfjs GraphModel. */
export async function loadTfjsModel(modelJsonPath: string): Promise<tf.GraphModel> {
  await tfReady();
  const json = JSON.parse(await readFile(modelJsonPath, 'utf8'));
  const handler: tf.io.IOHandler = {
    load: () =>
      tf.io.getModelArtifactsForJSON(json, async (manifest) => {
        const specs = manifest.flatMap((g) => g.weights);
        const shards = await Promise.all(manifest.flatMap((g) => g.paths.map((p) => readFile(path.join(path.dirname(modelJsonPath), p)))));
        const all = Buffer.concat(shards);
        return [specs, all.buffer.slice(all.byteOffset, all.byteOffset + all.byteLength) as ArrayBuffer];
      }),
  };
  return tf.loadGraphModel(handler);
}

/** Runs the model the way callers do (`model.execute(x)`) and returns every output as {dims, data}, in outputNodes order. */
export function runTfjs(model: tf.GraphModel, input: { data: Float32Array | Int32Array; dims: readonly number[] }): Array<{ dims: number[]; data: Float32Array | Int32Array }> {
  return tf.tidy(() => {
    const x = tf.tensor(input.data, [...input.dims], input.data instanceof Int32Array ? 'int32' : 'float32');
    const out = model.execute(x);
    const list = Array.isArray(out) ? out : [out];
    return list.map((t) => ({ dims: t.shape, data: t.dataSync() as Float32Array | Int32Array }));
  });
}

/** Like runTfjs, for graphs with control flow (while loops, NMS), which tfjs only runs with executeAsync. */
export async function runTfjsAsync(model: tf.GraphModel, input: { data: Float32Array | Int32Array; dims: readonly number[] }): Promise<Array<{ dims: number[]; data: Float32Array | Int32Array }>> {
  const x = tf.tensor(input.data, [...input.dims], input.data instanceof Int32Array ? 'int32' : 'float32');
  try {
    const out = await model.executeAsync(x);
    const list = Array.isArray(out) ? out : [out];
    const result = list.map((t) => ({ dims: t.shape, data: t.dataSync() as Float32Array | Int32Array }));
    tf.dispose(list);
    return result;
  } finally {
    x.dispose();
  }
}

export { tf };
