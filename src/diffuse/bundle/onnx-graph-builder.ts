/**
 * Builds ONNX graphs from code with deterministic random weights: the project's own test bundle and the
 * SD-1.5-sized benchmark UNet. Weights go inline, or, for graphs over protobuf's 2 GB limit, to an
 * external-data file written as they are made (so an 860 M-parameter graph never sits in memory), or
 * nowhere (`count` only: parameter counts of the real architectures, checked by tests).
 *
 * Output bytes are a pure function of the calls made and the seed.
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import onnxProto from 'onnx-proto';
import { float32ToFloat16 } from './float16.js';

const { onnx } = onnxProto;

/** Opset 17: LayerNormalization exists; onnxruntime-node 1.30 runs every op used here on CPU, CUDA and WebGPU. */
export const BUILDER_OPSET = 17;
const IR_VERSION = 8;

export type GraphDtype = 'float32' | 'float16' | 'int64';
export type FloatDtype = 'float32' | 'float16';

const ONNX_DTYPE: Readonly<Record<GraphDtype, number>> = Object.freeze({
  float32: onnx.TensorProto.DataType.FLOAT,
  float16: onnx.TensorProto.DataType.FLOAT16,
  int64: onnx.TensorProto.DataType.INT64,
});

/** Where initializer bytes go. */
export type WeightStore =
  | { readonly kind: 'inline' }
  /** `path` is written; `location` is how the model file names it (relative to the model's directory). */
  | { readonly kind: 'external'; readonly path: string; readonly location: string }
  | { readonly kind: 'count' };

export type Dim = number | string;
export type Attr = onnxProto.onnx.IAttributeProto;

export class OnnxGraphBuilder {
  private readonly nodes: onnxProto.onnx.INodeProto[] = [];
  private readonly initializers: onnxProto.onnx.ITensorProto[] = [];
  private readonly inputs: onnxProto.onnx.IValueInfoProto[] = [];
  private readonly outputs: onnxProto.onnx.IValueInfoProto[] = [];
  private readonly constants = new Map<string, string>();
  private readonly counters = new Map<string, number>();
  private rng: () => number;
  private fd: number | undefined;
  private externalOffset = 0;
  /** Trainable parameters made with `weight`/`param` (not int64 shape constants). */
  parameterCount = 0;

  /** Float type of weights and math. */
  readonly compute: FloatDtype;
  /** Float type of graph inputs and outputs. */
  readonly io: FloatDtype;

  /**
   * @param seed weights are a pure function of it
   * @param dtypes `compute`: weights and math (default float32); `io`: float inputs and outputs (default
   *   `compute`), cast at the boundary when they differ. io float16 with compute float32 gives an fp16
   *   bundle's I/O contract on graphs every CPU runs; both float16 is a real fp16 graph (for GPUs).
   */
  constructor(
    readonly name: string,
    seed: number,
    private readonly store: WeightStore = { kind: 'inline' },
    dtypes: { readonly compute?: FloatDtype; readonly io?: FloatDtype } = {},
  ) {
    this.compute = dtypes.compute ?? 'float32';
    this.io = dtypes.io ?? this.compute;
    this.rng = mulberry32(seed);
    if (store.kind === 'external') this.fd = openSync(store.path, 'w');
  }

  /** A fresh value name under `base` (`base`, `base_1`, ...). */
  fresh(base: string): string {
    const k = this.counters.get(base) ?? 0;
    this.counters.set(base, k + 1);
    return k === 0 ? base : `${base}_${k}`;
  }

  /** Declares a graph input; 'float' is the I/O float type. @returns the value to compute with */
  input(name: string, dtype: 'float' | 'int64', dims: readonly Dim[]): string {
    if (dtype === 'int64') {
      this.inputs.push(valueInfo(name, 'int64', dims));
      return name;
    }
    this.inputs.push(valueInfo(name, this.io, dims));
    return this.io === this.compute ? name : this.cast(name, this.compute);
  }

  /** Marks `value` (compute float type) as a graph output named `name`, in the I/O float type. */
  output(value: string, name: string, dims: readonly Dim[]): void {
    const cast = this.io !== this.compute;
    const attribute = cast ? [int('to', ONNX_DTYPE[this.io])] : [];
    this.nodes.push({ opType: cast ? 'Cast' : 'Identity', input: [value], output: [name], name, attribute });
    this.outputs.push(valueInfo(name, this.io, dims));
  }

  /** A Cast node. */
  cast(x: string, to: FloatDtype): string {
    return this.op('Cast', [x], `${x}/${to}`, [int('to', ONNX_DTYPE[to])]);
  }

  /** Emits one node and returns its (single) output name. */
  op(opType: string, inputs: readonly string[], base: string, attrs: readonly Attr[] = []): string {
    const out = this.fresh(base);
    this.nodes.push({ opType, input: [...inputs], output: [out], name: out, attribute: [...attrs] });
    return out;
  }

  /** Emits a node with several outputs. */
  opMulti(opType: string, inputs: readonly string[], base: string, outputs: number, attrs: readonly Attr[] = []): string[] {
    const outs = Array.from({ length: outputs }, (_, i) => this.fresh(`${base}/out${i}`));
    this.nodes.push({ opType, input: [...inputs], output: outs, name: outs[0], attribute: [...attrs] });
    return outs;
  }

  /**
   * A trainable weight, uniform in ±√(3/fanIn) (unit-variance activations through a layer, so random
   * deep graphs neither overflow nor underflow into denormals, which would distort timings).
   */
  weight(name: string, shape: readonly number[], fanIn: number): string {
    const a = Math.sqrt(3 / fanIn);
    return this.param(name, shape, (r) => (2 * r - 1) * a);
  }

  /** A trainable parameter filled by `fill(uniform01)`, e.g. norm scales near 1 or small biases. */
  param(name: string, shape: readonly number[], fill: (uniform01: number) => number): string {
    const n = shape.reduce((p, d) => p * d, 1);
    this.parameterCount += n;
    if (this.store.kind === 'count') return this.addInitializer(name, 'float32', shape, new Uint8Array(0));
    const data = new Float32Array(n);
    for (let i = 0; i < n; i++) data[i] = fill(this.rng());
    return this.addInitializer(name, this.compute, shape, floatBytes(data, this.compute));
  }

  /** A fixed float tensor (not counted as a parameter), shared by content; default in the compute type. */
  floats(data: readonly number[] | Float32Array, shape: readonly number[] = [data.length], dtype: FloatDtype = this.compute): string {
    return this.shared(`f${dtype}`, dtype, shape, floatBytes(Float32Array.from(data), dtype), data);
  }

  /** An int64 vector (shapes, axes), shared by content. */
  int64s(values: readonly number[]): string {
    return this.shared('i', 'int64', [values.length], bytesOf(BigInt64Array.from(values, (v) => BigInt(v))), values);
  }

  private shared(tag: string, dtype: GraphDtype, shape: readonly number[], bytes: Uint8Array, data: ArrayLike<number>): string {
    const key = `${tag}[${shape.join(',')}]${Array.from(data).join(',')}`;
    const known = this.constants.get(key);
    if (known) return known;
    // Constants are tiny: always inline, so they never depend on the weight store.
    const name = this.fresh(`const/${tag}`);
    this.initializers.push({ name, dataType: ONNX_DTYPE[dtype], dims: [...shape], rawData: bytes });
    this.constants.set(key, name);
    return name;
  }

  private addInitializer(base: string, dtype: GraphDtype, shape: readonly number[], bytes: Uint8Array): string {
    const name = this.fresh(base);
    const tensor: onnxProto.onnx.ITensorProto = { name, dataType: ONNX_DTYPE[dtype], dims: [...shape] };
    if (this.store.kind === 'external' && this.fd !== undefined) {
      writeSync(this.fd, bytes);
      tensor.dataLocation = onnx.TensorProto.DataLocation.EXTERNAL;
      tensor.externalData = [
        { key: 'location', value: this.store.location },
        { key: 'offset', value: String(this.externalOffset) },
        { key: 'length', value: String(bytes.byteLength) },
      ];
      this.externalOffset += bytes.byteLength;
    } else if (this.store.kind === 'inline') {
      tensor.rawData = bytes;
    }
    this.initializers.push(tensor);
    return name;
  }

  /** Serializes the model (and closes the external-data file). */
  finish(): Uint8Array {
    if (this.fd !== undefined) {
      closeSync(this.fd);
      this.fd = undefined;
    }
    const model = onnx.ModelProto.create({
      irVersion: IR_VERSION,
      producerName: 'nullcam onnx-graph-builder',
      opsetImport: [{ domain: '', version: BUILDER_OPSET }],
      graph: { name: this.name, node: this.nodes, initializer: this.initializers, input: this.inputs, output: this.outputs },
    });
    return onnx.ModelProto.encode(model).finish();
  }
}

function valueInfo(name: string, dtype: GraphDtype, dims: readonly Dim[]): onnxProto.onnx.IValueInfoProto {
  const dim = dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d }));
  return { name, type: { tensorType: { elemType: ONNX_DTYPE[dtype], shape: { dim } } } };
}

export function ints(name: string, values: readonly number[]): Attr {
  return { name, type: onnx.AttributeProto.AttributeType.INTS, ints: [...values] };
}

export function int(name: string, value: number): Attr {
  return { name, type: onnx.AttributeProto.AttributeType.INT, i: value };
}

export function float(name: string, value: number): Attr {
  return { name, type: onnx.AttributeProto.AttributeType.FLOAT, f: value };
}

export function str(name: string, value: string): Attr {
  return { name, type: onnx.AttributeProto.AttributeType.STRING, s: new TextEncoder().encode(value) };
}

function bytesOf(a: Float32Array | Uint16Array | BigInt64Array): Uint8Array {
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
}

function floatBytes(data: Float32Array, dtype: FloatDtype): Uint8Array {
  return bytesOf(dtype === 'float16' ? float32ToFloat16(data) : data);
}

/** A small, fast, seedable PRNG for weights (not for keys: those use a CSPRNG). @returns uniform in [0,1) */
export function mulberry32(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
