/**
 * Reads a TensorFlow.js graph model (model.json + weight shards) from disk into plain data: the node
 * list as TF wrote it, and every weight dequantized to Float32Array/Int32Array. No tfjs dependency:
 * the converter only needs the bytes, and tfjs is a dev-only reference oracle here.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { NullcamError } from '../errors.js';

/** One attribute value as TF's protobuf JSON writes it (`s` is base64, `i` is a decimal string). */
export interface TfjsAttrValue {
  readonly s?: string;
  readonly i?: string | number;
  readonly f?: number;
  readonly b?: boolean;
  readonly type?: string;
  readonly shape?: { readonly dim?: ReadonlyArray<{ readonly size?: string | number }>; readonly unknownRank?: boolean };
  readonly list?: {
    readonly s?: readonly string[];
    readonly i?: ReadonlyArray<string | number>;
    readonly f?: readonly number[];
    readonly type?: readonly string[];
  };
  readonly tensor?: unknown;
}

export interface TfjsNode {
  readonly name: string;
  readonly op: string;
  /** Data inputs as `node` or `node:k`; control inputs (`^node`) are dropped. */
  readonly inputs: readonly string[];
  readonly attr: Readonly<Record<string, TfjsAttrValue>>;
}

export type TfjsDtype = 'float32' | 'int32';

export interface TfjsWeight {
  readonly name: string;
  readonly dtype: TfjsDtype;
  readonly shape: readonly number[];
  readonly data: Float32Array | Int32Array;
}

/** A model input or output as tfjs names it: `key` is what `model.execute` takes/returns, `tensor` the graph tensor. */
export interface TfjsEndpoint {
  readonly key: string;
  readonly tensor: string;
}

export interface TfjsGraph {
  /** model.json path the graph came from. */
  readonly source: string;
  readonly nodes: readonly TfjsNode[];
  readonly weights: ReadonlyMap<string, TfjsWeight>;
  /** In `model.inputNodes` order. */
  readonly inputs: readonly TfjsEndpoint[];
  /** In `model.outputNodes` order, i.e. the order `model.execute(x)` returns its array in. */
  readonly outputs: readonly TfjsEndpoint[];
  /** model.json plus every weight shard, in manifest order: what a cache must hash. */
  readonly files: readonly string[];
}

interface RawNode {
  name: string;
  op: string;
  input?: string[];
  attr?: Record<string, TfjsAttrValue>;
}

interface RawWeightSpec {
  name: string;
  shape: number[];
  dtype: string;
  quantization?: { dtype: 'float16' | 'uint8' | 'uint16'; scale?: number; min?: number; original_dtype?: string };
}

interface RawModelJson {
  format?: string;
  modelTopology?: { node?: RawNode[] };
  weightsManifest?: Array<{ paths: string[]; weights: RawWeightSpec[] }>;
  signature?: RawSignature;
  userDefinedMetadata?: { signature?: RawSignature };
}

interface RawSignature {
  inputs?: Record<string, { name: string }>;
  outputs?: Record<string, { name: string }>;
}

/**
 * Reads a graph model and dequantizes its weights.
 * @param modelJsonPath path to model.json (weight shards are resolved next to it)
 * @returns nodes, weights by name, inputs/outputs in tfjs order, and the files read
 * @throws NullcamError when the file is not a graph model, a shard is short, or a dtype is unsupported
 */
export async function readTfjsGraph(modelJsonPath: string): Promise<TfjsGraph> {
  const json = JSON.parse(await readFile(modelJsonPath, 'utf8')) as RawModelJson;
  const rawNodes = json.modelTopology?.node;
  if (!rawNodes || !Array.isArray(rawNodes)) {
    throw new NullcamError(`${modelJsonPath} is not a TFJS graph model (no modelTopology.node)`);
  }
  const dir = path.dirname(modelJsonPath);
  const files = [modelJsonPath];
  const weights = new Map<string, TfjsWeight>();
  for (const group of json.weightsManifest ?? []) {
    const shardPaths = group.paths.map((p) => path.join(dir, p));
    files.push(...shardPaths);
    const buf = Buffer.concat(await Promise.all(shardPaths.map((p) => readFile(p))));
    let offset = 0;
    for (const spec of group.weights) {
      const { weight, byteLength } = decodeWeight(spec, buf, offset, modelJsonPath);
      weights.set(spec.name, weight);
      offset += byteLength;
    }
    if (offset !== buf.length) {
      throw new NullcamError(`${modelJsonPath}: weights use ${offset} bytes but shards ${group.paths.join(',')} hold ${buf.length}`);
    }
  }
  const nodes: TfjsNode[] = rawNodes.map((n) => ({
    name: n.name,
    op: n.op,
    inputs: (n.input ?? []).filter((i) => !i.startsWith('^')),
    attr: n.attr ?? {},
  }));
  const { inputs, outputs } = endpoints(nodes, json.signature ?? json.userDefinedMetadata?.signature);
  return { source: modelJsonPath, nodes, weights, inputs, outputs, files };
}

/** Reproduces tfjs-converter's OperationMapper.transformGraph choice of inputs and outputs (and their order). */
function endpoints(nodes: readonly TfjsNode[], signature: RawSignature | undefined): { inputs: TfjsEndpoint[]; outputs: TfjsEndpoint[] } {
  const byTensor = (entries: Record<string, { name: string }> | undefined): TfjsEndpoint[] => {
    // tfjs keys a map by tensor name (later keys overwrite), then iterates it: keep that order.
    const map = new Map<string, string>();
    for (const key of Object.keys(entries ?? {})) map.set(entries![key].name, key);
    return [...map].map(([tensor, key]) => ({ key, tensor: tensor.replace(/:0$/, '') }));
  };
  let inputs = byTensor(signature?.inputs);
  let outputs = byTensor(signature?.outputs);
  if (inputs.length === 0) {
    inputs = nodes.filter((n) => n.op.startsWith('Placeholder')).map((n) => ({ key: n.name, tensor: n.name }));
  }
  if (outputs.length === 0) {
    const consumed = new Set(nodes.flatMap((n) => n.inputs.map((i) => i.split(':')[0])));
    outputs = nodes.filter((n) => !consumed.has(n.name)).map((n) => ({ key: n.name, tensor: n.name }));
  }
  return { inputs, outputs };
}

function decodeWeight(spec: RawWeightSpec, buf: Buffer, offset: number, source: string): { weight: TfjsWeight; byteLength: number } {
  const size = spec.shape.reduce((a, b) => a * b, 1);
  const dtype = spec.dtype;
  if (dtype !== 'float32' && dtype !== 'int32') {
    throw new NullcamError(`${source}: weight ${spec.name} has dtype ${dtype}; only float32 and int32 are supported`);
  }
  const q = spec.quantization;
  const bytesPer = q ? { float16: 2, uint8: 1, uint16: 2 }[q.dtype] : 4;
  if (bytesPer === undefined) throw new NullcamError(`${source}: weight ${spec.name} has quantization ${q?.dtype}`);
  const byteLength = size * bytesPer;
  if (offset + byteLength > buf.length) {
    throw new NullcamError(`${source}: weight ${spec.name} needs bytes ${offset}..${offset + byteLength} but shards hold ${buf.length}`);
  }
  // Copy out: the shard buffer's offset need not be aligned for typed-array views.
  const bytes = new Uint8Array(buf.buffer.slice(buf.byteOffset + offset, buf.byteOffset + offset + byteLength));
  let floats: Float32Array | undefined;
  if (!q) {
    const data = dtype === 'float32' ? new Float32Array(bytes.buffer) : new Int32Array(bytes.buffer);
    return { weight: { name: spec.name, dtype, shape: spec.shape, data }, byteLength };
  }
  if (q.dtype === 'float16') {
    floats = float16ToFloat32(new Uint16Array(bytes.buffer));
  } else {
    const ints = q.dtype === 'uint8' ? bytes : new Uint16Array(bytes.buffer);
    const scale = q.scale ?? 1;
    const min = q.min ?? 0;
    floats = new Float32Array(size);
    for (let k = 0; k < size; k++) floats[k] = ints[k] * scale + min;
  }
  const data = dtype === 'float32' ? floats : Int32Array.from(floats, (v) => Math.round(v));
  return { weight: { name: spec.name, dtype, shape: spec.shape, data }, byteLength };
}

/** IEEE 754 binary16 → binary32, exact for every half value (subnormals, inf and NaN included). */
export function float16ToFloat32(half: Uint16Array): Float32Array {
  const out = new Float32Array(half.length);
  for (let k = 0; k < half.length; k++) {
    const h = half[k];
    const sign = h & 0x8000 ? -1 : 1;
    const exp = (h >> 10) & 0x1f;
    const frac = h & 0x3ff;
    if (exp === 0) out[k] = sign * frac * 2 ** -24;
    else if (exp === 31) out[k] = frac ? NaN : sign * Infinity;
    else out[k] = sign * (1 + frac / 1024) * 2 ** (exp - 15);
  }
  return out;
}

/** Decodes a string attribute (TF stores bytes, JSON carries them base64). */
export function attrString(node: TfjsNode, key: string): string | undefined {
  const s = node.attr[key]?.s;
  return s === undefined ? undefined : Buffer.from(s, 'base64').toString('utf8');
}

/** Decodes an int-list attribute (strides, ksize, dilations, explicit_paddings). */
export function attrInts(node: TfjsNode, key: string): number[] | undefined {
  const list = node.attr[key]?.list;
  if (!list) return undefined;
  return (list.i ?? []).map(Number);
}

/** Decodes a string-list attribute (fused_ops). */
export function attrStrings(node: TfjsNode, key: string): string[] {
  return (node.attr[key]?.list?.s ?? []).map((s) => Buffer.from(s, 'base64').toString('utf8'));
}

export function attrInt(node: TfjsNode, key: string): number | undefined {
  const i = node.attr[key]?.i;
  return i === undefined ? undefined : Number(i);
}

export function attrFloat(node: TfjsNode, key: string): number | undefined {
  return node.attr[key]?.f;
}

export function attrBool(node: TfjsNode, key: string): boolean | undefined {
  return node.attr[key]?.b;
}

export function attrType(node: TfjsNode, key: string): string | undefined {
  return node.attr[key]?.type;
}

/** A shape attribute as numbers, -1 for unknown dims; undefined when absent or of unknown rank. */
export function attrShape(node: TfjsNode, key: string): number[] | undefined {
  const shape = node.attr[key]?.shape;
  if (!shape || shape.unknownRank || !shape.dim) return undefined;
  return shape.dim.map((d) => Number(d.size ?? -1));
}
