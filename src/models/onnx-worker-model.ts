/**
 * An ONNX model that runs on its own worker thread, with `OnnxModel`'s shape (names, `run`, `dispose`).
 * onnxruntime-node runs inference synchronously on the calling thread (its async `run` only defers the
 * call), which for live video means every detection stalls the event loop that moves frames in and out
 * (~24 ms per 720p detection, measured with --cpu-prof: 27 % of the main thread). On a worker it stalls
 * nothing but the worker.
 */
import { Worker } from 'node:worker_threads';
import * as ort from 'onnxruntime-node';
import { NullcamError } from '../errors.js';
import type { OnnxModelOptions } from './onnx-session.js';
import type { WireTensor, WorkerInit, WorkerReply, WorkerRequest } from './onnx-worker.js';

export class OnnxWorkerModel {
  private nextId = 0;
  private readonly pending = new Map<number, { resolve: (out: Record<string, ort.Tensor>) => void; reject: (e: Error) => void }>();
  private disposed = false;

  private constructor(
    private readonly worker: Worker,
    readonly path: string,
    readonly inputNames: readonly string[],
    readonly outputNames: readonly string[],
  ) {
    worker.on('message', (reply: WorkerReply) => {
      if (!('id' in reply)) return;
      const waiter = this.pending.get(reply.id);
      this.pending.delete(reply.id);
      if ('error' in reply) waiter?.reject(new NullcamError(reply.error));
      else waiter?.resolve(Object.fromEntries(Object.entries(reply.outputs).map(([n, t]) => [n, new ort.Tensor(t.type, t.data as never, [...t.dims])])));
    });
    worker.on('error', (error) => this.failAll(error));
    worker.on('exit', () => this.failAll(new Error(`the worker running ${path} exited`)));
  }

  /**
   * Loads `path` in a new worker thread.
   * @throws NullcamError when the worker cannot load the model (the same message OnnxModel.create gives)
   */
  static async create(path: string, options: OnnxModelOptions = {}): Promise<OnnxWorkerModel> {
    const worker = new Worker(new URL('./onnx-worker.js', import.meta.url), { workerData: { path, options } satisfies WorkerInit });
    const ready = await new Promise<WorkerReply>((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
    }).catch((error: unknown) => ({ failed: error instanceof Error ? error.message : String(error) }));
    if ('failed' in ready) {
      await worker.terminate();
      throw new NullcamError(ready.failed);
    }
    if (!('ready' in ready)) throw new Error('onnx worker answered before it was ready');
    return new OnnxWorkerModel(worker, path, ready.ready.inputNames, ready.ready.outputNames);
  }

  /** Runs the model on the worker; inputs are copied to it, outputs moved back. */
  run(feeds: Readonly<Record<string, ort.Tensor>>): Promise<Record<string, ort.Tensor>> {
    if (this.disposed) return Promise.reject(new NullcamError(`ONNX model ${this.path} was used after dispose()`));
    const id = this.nextId++;
    const wire: Record<string, WireTensor> = {};
    for (const [name, t] of Object.entries(feeds)) wire[name] = { type: t.type, data: t.data, dims: t.dims };
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ id, feeds: wire } satisfies WorkerRequest);
    });
  }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    await this.worker.terminate();
  }

  private failAll(error: Error): void {
    for (const { reject } of this.pending.values()) reject(error);
    this.pending.clear();
  }
}
