/**
 * An ONNX model that runs on its own worker thread, with `OnnxModel`'s shape (names, `run`, `dispose`).
 * onnxruntime-node runs inference synchronously on the calling thread (its async `run` only defers the
 * call), which for live video means every detection stalls the event loop that moves frames in and out
 * (~24 ms per 720p detection, measured with --cpu-prof: 27 % of the main thread). On a worker it stalls
 * nothing but the worker.
 *
 * A worker can die (a native crash, out of memory). Its pending runs then reject at once, and the next
 * run starts a new worker: a live camera must get an error it can recover from, never a run that hangs.
 * Repeated deaths back off, so a model that kills every worker does not respawn in a tight loop.
 */
import { Worker } from 'node:worker_threads';
import * as ort from 'onnxruntime-node';
import { NullcamError } from '../errors.js';
import { backoffDelay, type BackoffOptions } from '../ingest/backoff.js';
import type { OnnxModelOptions } from './onnx-session.js';
import type { WireTensor, WorkerInit, WorkerReply, WorkerRequest } from './onnx-worker.js';

/** How long dispose() waits for runs in flight before it stops the worker anyway (a hung inference). */
const DRAIN_MS = 10_000;

/** Wait before restarting after the 2nd, 3rd, … death in a row (the first restarts on the next run). */
const RESTART_BACKOFF: BackoffOptions = { initialMs: 1000, maxMs: 30_000 };

export class OnnxWorkerModel {
  /** Inputs in shared memory reach the worker without a copy allocated there per run (InputBuffers). */
  readonly sharedInputs = true;
  private nextId = 0;
  private readonly pending = new Map<number, { resolve: (out: Record<string, ort.Tensor>) => void; reject: (e: Error) => void }>();
  private disposed = false;
  /** undefined while dead, until the next run starts another. */
  private worker: Worker | undefined;
  private starting: Promise<void> | undefined;
  /** Deaths since the last run that succeeded, the last one's time (performance.now) and cause. */
  private deaths = 0;
  private lastDeath = { at: 0, why: '' };
  /** Called when the last pending run settles (dispose waits for it). */
  private drained: (() => void) | undefined;

  private constructor(
    worker: Worker,
    readonly path: string,
    readonly inputNames: readonly string[],
    readonly outputNames: readonly string[],
    private readonly options: OnnxModelOptions,
  ) {
    this.adopt(worker);
  }

  /**
   * Loads `path` in a new worker thread.
   * @throws NullcamError when the worker cannot load the model (the same message OnnxModel.create gives)
   */
  static async create(path: string, options: OnnxModelOptions = {}): Promise<OnnxWorkerModel> {
    const started = await startWorker(path, options);
    return new OnnxWorkerModel(started.worker, path, started.inputNames, started.outputNames, options);
  }

  /**
   * Runs the model on the worker; inputs are copied to it, outputs moved back.
   * @throws NullcamError at once when the worker died during the run, or died repeatedly and is waiting
   *   to be restarted; a run after a single death starts a new worker first
   */
  async run(feeds: Readonly<Record<string, ort.Tensor>>): Promise<Record<string, ort.Tensor>> {
    if (this.disposed) throw new NullcamError(`ONNX model ${this.path} was used after dispose()`);
    if (!this.worker) await this.restart();
    const worker = this.worker;
    if (this.disposed) throw new NullcamError(`ONNX model ${this.path} was used after dispose()`);
    if (!worker) throw this.deadError();
    const id = this.nextId++;
    const wire: Record<string, WireTensor> = {};
    for (const [name, t] of Object.entries(feeds)) wire[name] = { type: t.type, data: t.data, dims: t.dims };
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      worker.postMessage({ id, feeds: wire } satisfies WorkerRequest);
    });
  }

  /** Stops the worker once the runs in flight have ended (at most DRAIN_MS); further `run` calls throw. */
  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    // A worker terminated during an inference takes the whole process down (onnxruntime-node throws an
    // uncaught C++ Napi::Error): 4 of 10 proxy stops under load did, exit 134.
    if (this.pending.size > 0) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([new Promise<void>((resolve) => (this.drained = resolve)), new Promise((resolve) => (timer = setTimeout(resolve, DRAIN_MS)))]);
      clearTimeout(timer);
    }
    await Promise.all([this.worker?.terminate(), this.starting?.catch(() => {})]);
  }

  private adopt(worker: Worker): void {
    this.worker = worker;
    worker.on('message', (reply: WorkerReply) => {
      if (!('id' in reply)) return;
      const waiter = this.pending.get(reply.id);
      this.pending.delete(reply.id);
      if (this.pending.size === 0) this.drained?.();
      if ('error' in reply) return waiter?.reject(new NullcamError(reply.error));
      this.deaths = 0;
      waiter?.resolve(Object.fromEntries(Object.entries(reply.outputs).map(([n, t]) => [n, new ort.Tensor(t.type, t.data as never, [...t.dims])])));
    });
    // 'error' (an uncaught exception in the worker) is followed by 'exit'; the first one counts.
    const died = (why: string): void => {
      if (this.worker !== worker) return;
      this.worker = undefined;
      if (!this.disposed) this.noteDeath(why);
      const error = this.disposed ? new NullcamError(`ONNX model ${this.path} was disposed during a run`) : this.deadError();
      for (const { reject } of this.pending.values()) reject(error);
      this.pending.clear();
      this.drained?.();
    };
    worker.on('error', (error) => died(error.message));
    worker.on('exit', (code) => died(`exit code ${code}`));
  }

  /** Starts a new worker unless the last deaths ask to wait; concurrent runs share one start. */
  private restart(): Promise<void> {
    if (this.starting) return this.starting;
    const wait = this.restartAt() - performance.now();
    if (wait > 0) return Promise.reject(this.deadError());
    this.starting = startWorker(this.path, this.options)
      .then(
        ({ worker }) => {
          if (this.disposed) void worker.terminate();
          else this.adopt(worker);
        },
        (error: unknown) => {
          this.noteDeath(error instanceof Error ? error.message : String(error));
          throw this.deadError();
        },
      )
      .finally(() => (this.starting = undefined));
    return this.starting;
  }

  private noteDeath(why: string): void {
    this.deaths++;
    this.lastDeath = { at: performance.now(), why };
  }

  private restartAt(): number {
    return this.deaths < 2 ? 0 : this.lastDeath.at + backoffDelay(this.deaths - 1, RESTART_BACKOFF);
  }

  private deadError(): NullcamError {
    const { why } = this.lastDeath;
    const wait = this.restartAt() - performance.now();
    return new NullcamError(
      this.deaths < 2
        ? `The worker thread running ${this.path} stopped (${why}); the next run starts a new one.`
        : `The worker thread running ${this.path} stopped ${this.deaths} times in a row (last: ${why}); ${wait > 0 ? `restarting it in ${Math.ceil(wait / 100) / 10} s` : 'the next run starts a new one'}.`,
    );
  }
}

/** A worker thread with the model loaded. */
async function startWorker(path: string, options: OnnxModelOptions): Promise<{ worker: Worker; inputNames: readonly string[]; outputNames: readonly string[] }> {
  const worker = new Worker(new URL('./onnx-worker.js', import.meta.url), { workerData: { path, options } satisfies WorkerInit });
  const ready = await new Promise<WorkerReply>((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`the worker thread loading ${path} exited (code ${code})`)));
  }).catch((error: unknown) => ({ failed: error instanceof Error ? error.message : String(error) }));
  if ('failed' in ready) {
    await worker.terminate();
    throw new NullcamError(ready.failed);
  }
  if (!('ready' in ready)) throw new Error('onnx worker answered before it was ready');
  return { worker, inputNames: ready.ready.inputNames, outputNames: ready.ready.outputNames };
}
