/**
 * The one wrapper every ONNX call goes through (style rule 4): it checks feeds before running, turns
 * runtime failures into errors that name the model file and the tensors fed, picks execution providers
 * from one frozen table, and owns the native session's lifetime (`dispose`).
 */
import * as ort from 'onnxruntime-node';
import { NullcamError } from '../errors.js';
import { InputBuffers } from './input-buffers.js';

export type Device = 'cpu' | 'cuda' | 'webgpu';

/** Device → onnxruntime execution providers, in preference order; CPU is always the fallback. */
export const EXECUTION_PROVIDERS: Readonly<Record<Device, readonly string[]>> = Object.freeze({
  cpu: Object.freeze(['cpu']),
  cuda: Object.freeze(['cuda', 'cpu']),
  webgpu: Object.freeze(['webgpu', 'cpu']),
});

/**
 * Intra-op threads per session. One: on the 2-core target the pipeline's other stages (ffmpeg decode,
 * sharp, other sessions) keep the second core busy, and a spinning 2-thread pool then loses badly.
 * Measured on the 2-core box with other work running (ms/inference, 1 vs 2 threads): blazeface 7.3 vs 20.5,
 * facemesh 2.3 vs 5.6, faceres 16.8 vs 26–52, mobilefacenet 8.5 vs 8.0.
 */
export const DEFAULT_INTRA_OP_THREADS = 1;

export interface OnnxModelOptions {
  /** Providers in preference order, e.g. `EXECUTION_PROVIDERS.cuda`; default `EXECUTION_PROVIDERS.cpu`. */
  readonly executionProviders?: readonly string[];
  /** Threads for one op; default DEFAULT_INTRA_OP_THREADS. */
  readonly intraOpNumThreads?: number;
}

export interface BackendInfo {
  readonly name: string;
  /** Whether the provider ships inside onnxruntime-node (cuda/tensorrt need an install with GPU libraries). */
  readonly bundled: boolean;
}

/**
 * The execution providers this onnxruntime-node build knows about, for `nullcam doctor`.
 * @example availableBackends() // [{name:'cpu',bundled:true},{name:'webgpu',bundled:true},{name:'cuda',bundled:false},…]
 */
export function availableBackends(): BackendInfo[] {
  return ort.listSupportedBackends().map((b) => ({ name: b.name, bundled: b.bundled }));
}

/** Providers for a device, from EXECUTION_PROVIDERS. */
export function executionProvidersFor(device: Device): readonly string[] {
  const eps = EXECUTION_PROVIDERS[device];
  if (!eps) throw new NullcamError(`Expected one of ${Object.keys(EXECUTION_PROVIDERS).join(', ')} for device but received ${JSON.stringify(device)}`, 2);
  return eps;
}

export interface TensorSignature {
  readonly name: string;
  readonly type: string;
  /** Numbers, or names for dynamic dims. */
  readonly shape: ReadonlyArray<number | string>;
}

type Feeds = Readonly<Record<string, ort.Tensor>>;

/** A loaded ONNX model. Create with `OnnxModel.create`; call `dispose()` when done. */
export class OnnxModel {
  private disposed = false;
  /** Plain copies of float inputs that arrive in shared memory (see `unshare`), by length, reused. */
  private readonly plainCopies = new Map<number, InputBuffers>();

  private constructor(
    private readonly session: ort.InferenceSession,
    /** Model file the session was loaded from (named in every error). */
    readonly path: string,
    readonly executionProviders: readonly string[],
  ) {}

  /**
   * Loads a model file.
   * @param path an .onnx file
   * @param options providers (default CPU) and intra-op threads (default 1)
   * @throws NullcamError naming the file and providers when onnxruntime cannot load it
   * @example const m = await OnnxModel.create('blazeface.onnx'); m.inputNames // ['input:0']
   */
  static async create(path: string, options: OnnxModelOptions = {}): Promise<OnnxModel> {
    const executionProviders = options.executionProviders ?? EXECUTION_PROVIDERS.cpu;
    const intraOpNumThreads = options.intraOpNumThreads ?? DEFAULT_INTRA_OP_THREADS;
    try {
      const session = await ort.InferenceSession.create(path, {
        executionProviders: [...executionProviders],
        intraOpNumThreads,
        // One inference at a time per session: no inter-op pool needed.
        interOpNumThreads: 1,
      });
      return new OnnxModel(session, path, executionProviders);
    } catch (err) {
      throw new NullcamError(`Cannot load ONNX model ${path} with providers [${executionProviders.join(', ')}]: ${message(err)}`, 1, { cause: err });
    }
  }

  get inputNames(): readonly string[] {
    return this.session.inputNames;
  }

  get outputNames(): readonly string[] {
    return this.session.outputNames;
  }

  /** Input dims as the model declares them: numbers, or names for dynamic dims (`'batch'`). */
  get inputShapes(): Readonly<Record<string, ReadonlyArray<number | string>>> {
    return Object.fromEntries(this.session.inputMetadata.map((m) => [m.name, m.isTensor ? m.shape : []]));
  }

  /** Every input and output as the graph declares it: name, element type ('float32', 'int64', …), dims. */
  get signature(): { inputs: readonly TensorSignature[]; outputs: readonly TensorSignature[] } {
    const sig = (m: ort.InferenceSession.ValueMetadata): TensorSignature => (m.isTensor ? { name: m.name, type: m.type, shape: m.shape } : { name: m.name, type: 'non-tensor', shape: [] });
    return { inputs: this.session.inputMetadata.map(sig), outputs: this.session.outputMetadata.map(sig) };
  }

  /**
   * Runs the model.
   * @param feeds one tensor per input name
   * @returns every output, by name
   * @throws NullcamError listing all missing or unknown inputs and mismatched dims before running, or,
   *   when onnxruntime fails, the model file and each fed tensor's name, dtype and dims
   */
  async run(feeds: Feeds): Promise<Record<string, ort.Tensor>> {
    if (this.disposed) throw new NullcamError(`ONNX model ${this.path} was used after dispose()`);
    this.check(feeds);
    const caller = new Error('called from');
    const copies: Array<[InputBuffers, Float32Array]> = [];
    try {
      return (await this.session.run(this.unshare(feeds, copies))) as Record<string, ort.Tensor>;
    } catch (err) {
      const e = new NullcamError(`ONNX model ${this.path} failed on ${describeFeeds(feeds)}: ${message(err)}`, 1, { cause: err });
      e.stack = `${e.name}: ${e.message}\n${caller.stack?.split('\n').slice(1).join('\n') ?? ''}`;
      throw e;
    } finally {
      for (const [buffers, copy] of copies) buffers.give(copy);
    }
  }

  /**
   * onnxruntime-node rejects typed arrays on a SharedArrayBuffer ("Invalid argument"), which worker-run
   * models receive (InputBuffers `shared`): those run from a plain copy. Float ones, the face models'
   * inputs, copy into arrays kept for the next run (recorded in `copies` until the run settles), so a
   * worker allocates nothing per call; others are rare and copied anew.
   */
  private unshare(feeds: Feeds, copies: Array<[InputBuffers, Float32Array]>): Feeds {
    if (!Object.values(feeds).some((t) => isShared(t.data))) return feeds;
    const plain: Record<string, ort.Tensor> = {};
    for (const [name, t] of Object.entries(feeds)) {
      if (!isShared(t.data)) plain[name] = t;
      else if (t.data instanceof Float32Array) {
        let buffers = this.plainCopies.get(t.data.length);
        if (!buffers) this.plainCopies.set(t.data.length, (buffers = new InputBuffers(t.data.length)));
        const copy = buffers.take();
        copies.push([buffers, copy]);
        copy.set(t.data);
        plain[name] = new ort.Tensor('float32', copy, t.dims);
      } else plain[name] = new ort.Tensor(t.type, (t.data as Exclude<ort.Tensor.DataType, string[]>).slice() as never, t.dims);
    }
    return plain;
  }

  private check(feeds: Feeds): void {
    const problems: string[] = [];
    const missing = this.inputNames.filter((n) => !(n in feeds));
    if (missing.length) problems.push(`missing input${missing.length > 1 ? 's' : ''} ${missing.map((n) => JSON.stringify(n)).join(', ')}`);
    const unknown = Object.keys(feeds).filter((n) => !this.inputNames.includes(n));
    if (unknown.length) problems.push(`unknown input${unknown.length > 1 ? 's' : ''} ${unknown.map((n) => JSON.stringify(n)).join(', ')}`);
    for (const meta of this.session.inputMetadata) {
      const t = feeds[meta.name];
      if (!t || !meta.isTensor) continue;
      const want = meta.shape;
      const fits = want.length === 0 || (t.dims.length === want.length && want.every((d, i) => typeof d !== 'number' || d < 0 || d === t.dims[i]));
      if (!fits) problems.push(`input "${meta.name}" has dims [${t.dims.join(',')}] but the model expects [${want.join(',')}]`);
      if (t.type !== meta.type) problems.push(`input "${meta.name}" has dtype ${t.type} but the model expects ${meta.type}`);
    }
    if (problems.length) {
      throw new NullcamError(`ONNX model ${this.path}: ${problems.join('; ')} (expected inputs ${this.inputNames.map((n) => JSON.stringify(n)).join(', ')}; got ${describeFeeds(feeds)})`);
    }
  }

  /** Releases the native session; further `run` calls throw. Safe to call twice. */
  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    await this.session.release();
  }
}

function isShared(data: ort.Tensor.DataType): boolean {
  return ArrayBuffer.isView(data) && data.buffer instanceof SharedArrayBuffer;
}

function describeFeeds(feeds: Feeds): string {
  const parts = Object.entries(feeds).map(([name, t]) => `${JSON.stringify(name)} ${t?.type} [${t?.dims?.join(',')}]`);
  return parts.length ? parts.join(', ') : 'no inputs';
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
