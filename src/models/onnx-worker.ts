/**
 * Worker-thread side of `OnnxWorkerModel`: owns one `OnnxModel` and runs it on request. onnxruntime-node's
 * `run` executes synchronously on the calling thread, so a model run on the main thread stops every pipe,
 * socket and timer for its whole duration; here it blocks only this thread.
 */
import { parentPort, workerData } from 'node:worker_threads';
import * as ort from 'onnxruntime-node';
import { OnnxModel, type OnnxModelOptions } from './onnx-session.js';

export interface WorkerInit {
  readonly path: string;
  readonly options: OnnxModelOptions;
}

/** A tensor as it crosses threads (typed arrays are structured-cloned or transferred). */
export interface WireTensor {
  readonly type: ort.Tensor.Type;
  readonly data: ort.Tensor.DataType;
  readonly dims: readonly number[];
}

export interface WorkerRequest {
  readonly id: number;
  readonly feeds: Record<string, WireTensor>;
}
export type WorkerReply =
  | { readonly id: number; readonly outputs: Record<string, WireTensor> }
  | { readonly id: number; readonly error: string }
  | { readonly ready: { readonly inputNames: readonly string[]; readonly outputNames: readonly string[] } }
  | { readonly failed: string };

const port = parentPort!;
const init = workerData as WorkerInit;

OnnxModel.create(init.path, init.options).then(
  (model) => {
    port.postMessage({ ready: { inputNames: model.inputNames, outputNames: model.outputNames } } satisfies WorkerReply);
    // The owner ends this thread with terminate(), which releases the session with it.
    port.on('message', async (request: WorkerRequest) => {
      try {
        const feeds = Object.fromEntries(Object.entries(request.feeds).map(([name, t]) => [name, new ort.Tensor(t.type, t.data as never, [...t.dims])]));
        const out = await model.run(feeds);
        const outputs: Record<string, WireTensor> = {};
        const transfer: ArrayBuffer[] = [];
        for (const [name, t] of Object.entries(out)) {
          outputs[name] = { type: t.type, data: t.data, dims: t.dims };
          if (ArrayBuffer.isView(t.data) && t.data.buffer instanceof ArrayBuffer) transfer.push(t.data.buffer);
        }
        port.postMessage({ id: request.id, outputs } satisfies WorkerReply, transfer);
      } catch (error) {
        port.postMessage({ id: request.id, error: error instanceof Error ? error.message : String(error) } satisfies WorkerReply);
      }
    });
  },
  (error: unknown) => port.postMessage({ failed: error instanceof Error ? error.message : String(error) } satisfies WorkerReply),
);
