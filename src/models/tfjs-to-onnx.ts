/**
 * Converts a TFJS graph model (as read by tfjs-graph.ts) into an ONNX model for onnxruntime.
 *
 * The ONNX model keeps the TFJS I/O contract: the same input and output names (tfjs `inputNodes` /
 * `outputNodes`), in the same order, with the same NHWC shapes, so a caller can swap `model.execute(x)`
 * for a session run with identical tensors. Inside, 4-D feature maps run NCHW (what ONNX Conv and the
 * CPU EP's NCHWc kernels want): each value carries a layout tag, layout-agnostic ops (elementwise, Pad,
 * reductions, Concat) follow their input's layout with axes and constants permuted at conversion time,
 * and a Transpose appears only where an op needs TF's own layout (Reshape, MatMul, graph outputs).
 *
 * Output bytes are a pure function of the input graph: nodes are emitted in a fixed depth-first order,
 * names are derived from TF node names, and no timestamps are written.
 */
import onnxProto from 'onnx-proto';
import { NullcamError } from '../errors.js';
import { whileFrameOf, type WhileFrame } from './tf-while-frame.js';
import {
  attrBool,
  attrFloat,
  attrInt,
  attrInts,
  attrShape,
  attrString,
  attrStrings,
  attrType,
  type TfjsGraph,
  type TfjsNode,
} from './tfjs-graph.js';

const { onnx } = onnxProto;

/** Bump whenever converter output can change for the same input: the model store re-converts on a change. */
export const CONVERTER_VERSION = '1';

/** ONNX opset 13: Squeeze/Unsqueeze/ReduceSum take axes as inputs, Softmax is per-axis; onnxruntime-node 1.30 runs it fully. */
export const ONNX_OPSET = 13;
const IR_VERSION = 7;

type Dtype = 'float32' | 'int32' | 'int64' | 'bool';

const ONNX_DTYPE: Readonly<Record<Dtype, number>> = Object.freeze({
  float32: onnx.TensorProto.DataType.FLOAT,
  int32: onnx.TensorProto.DataType.INT32,
  int64: onnx.TensorProto.DataType.INT64,
  bool: onnx.TensorProto.DataType.BOOL,
});

const TF_DTYPE: Readonly<Record<string, Dtype>> = Object.freeze({
  DT_FLOAT: 'float32',
  DT_INT32: 'int32',
  DT_INT64: 'int64',
  DT_BOOL: 'bool',
});

/** NCHW position i holds NHWC axis NCHW_FROM_NHWC[i]. */
const NCHW_FROM_NHWC = [0, 3, 1, 2] as const;
const NHWC_FROM_NCHW = [0, 2, 3, 1] as const;

/** Large enough to mean "to the end" for Slice on any real dim, small enough to stay an exact JS number. */
const SLICE_END = 2 ** 31 - 1;

interface Konst {
  readonly dtype: 'float32' | 'int32';
  readonly shape: readonly number[];
  readonly data: Float32Array | Int32Array;
}

/** A TF tensor as it exists in the ONNX graph. `nchw`: a 4-D NHWC TF tensor stored transposed to NCHW. */
interface Value {
  readonly name: string;
  readonly dtype: Dtype;
  readonly layout: 'tf' | 'nchw';
  readonly konst?: Konst;
  /** A TensorArray handle or flow: the TensorArrayV3 node it belongs to. Has no ONNX value of its own. */
  readonly tensorArray?: string;
}

export interface ConversionResult {
  /** Serialized ModelProto. */
  readonly bytes: Uint8Array;
  /** TF ops the converted subgraph uses, sorted, with fused ops in brackets: `_FusedConv2D[BiasAdd,Relu]`. */
  readonly ops: readonly string[];
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
}

/**
 * Converts a graph model to ONNX.
 * @param graph the model as read by readTfjsGraph
 * @returns the serialized model and what it contains
 * @throws NullcamError naming the node for an op or attribute the converter does not handle
 */
export function convertTfjsGraph(graph: TfjsGraph): ConversionResult {
  const conv = new Converter(graph);
  return conv.run();
}

class Converter {
  private readonly nodesByName = new Map<string, TfjsNode>();
  private readonly values = new Map<string, Value>();
  /** Where emit() appends: the main graph's node list, or a loop body's while one is being built. */
  private onnxNodes: onnxProto.onnx.INodeProto[] = [];
  private readonly initializers: onnxProto.onnx.ITensorProto[] = [];
  /** Initializer key → ONNX name. */
  private readonly initialized = new Map<string, string>();
  private readonly used = new Set<string>();
  /** Transposed copies of values, keyed `name|layout`, so each is made once. */
  private relaid = new Map<string, string>();
  /** TensorArray node → ONNX value holding all its elements stacked (from a scatter before a loop, or a loop's scan output). */
  private readonly stacked = new Map<string, string>();
  /** Inside a loop body: TensorArray node → value written this iteration (becomes a scan output). */
  private written: Map<string, Value> | undefined;
  private readonly opsSeen = new Set<string>();
  private current: TfjsNode | undefined;

  constructor(private readonly graph: TfjsGraph) {
    for (const n of graph.nodes) this.nodesByName.set(n.name, n);
    for (const e of [...graph.inputs, ...graph.outputs]) this.used.add(e.key);
    this.used.add(''); // ONNX's "absent optional input"
  }

  /** TF node names are kept for the values they produce; derived names must not take one first. */
  private isOtherNodesName(name: string): boolean {
    return this.nodesByName.has(name) && name !== this.current?.name;
  }

  run(): ConversionResult {
    const inputs = this.graph.inputs.map((e) => this.placeholder(e.key, e.tensor));
    for (const e of this.graph.outputs) this.visit(e.tensor);
    const outputs: onnxProto.onnx.IValueInfoProto[] = [];
    for (const e of this.graph.outputs) {
      const v = this.value(e.tensor);
      this.current = undefined;
      this.emit('Identity', [this.tf(v)], [e.key]);
      outputs.push({ name: e.key, type: { tensorType: { elemType: ONNX_DTYPE[v.dtype] } } });
    }
    const model = onnx.ModelProto.create({
      irVersion: IR_VERSION,
      producerName: 'nullcam tfjs-to-onnx',
      producerVersion: CONVERTER_VERSION,
      opsetImport: [{ domain: '', version: ONNX_OPSET }],
      graph: {
        name: 'tfjs',
        node: this.onnxNodes,
        initializer: this.initializers,
        input: inputs,
        output: outputs,
      },
    });
    return {
      bytes: onnx.ModelProto.encode(model).finish(),
      ops: [...this.opsSeen].sort(),
      inputNames: this.graph.inputs.map((e) => e.key),
      outputNames: this.graph.outputs.map((e) => e.key),
    };
  }

  private placeholder(key: string, tensor: string): onnxProto.onnx.IValueInfoProto {
    const node = this.nodesByName.get(tensor);
    if (!node) throw new NullcamError(`${this.graph.source}: input ${key} names no node (${tensor})`);
    // tfjs has no uint8 tensors: it feeds uint8 placeholders int32, so the ONNX input is int32 too.
    const tfType = attrType(node, 'dtype') ?? 'DT_FLOAT';
    const dtype = tfType === 'DT_UINT8' ? 'int32' : TF_DTYPE[tfType];
    if (!dtype) throw this.fail(`input dtype ${attrType(node, 'dtype')}`);
    this.values.set(tensor, { name: key, dtype, layout: 'tf' });
    this.opsSeen.add(node.op);
    const shape = attrShape(node, 'shape');
    const dims = shape?.map((d, i) => (d >= 0 ? { dimValue: d } : { dimParam: i === 0 ? 'batch' : `${key}_dim${i}` }));
    return { name: key, type: { tensorType: { elemType: ONNX_DTYPE[dtype], shape: dims ? { dim: dims } : undefined } } };
  }

  /** Converts the node producing `ref` and, depth-first, everything it reads. */
  private visit(ref: string): void {
    // `key` is the value wanted (`node` or `node:k`): a loop body pre-defines some outputs (Switch:1) only.
    const stack: Array<{ key: string; expanded: boolean }> = [{ key: valueKey(ref), expanded: false }];
    while (stack.length > 0) {
      const top = stack[stack.length - 1];
      if (this.values.has(top.key)) {
        stack.pop();
        continue;
      }
      const name = nodeName(top.key);
      const node = this.nodesByName.get(name);
      if (!node) throw new NullcamError(`${this.graph.source}: graph reads missing node ${name}`);
      if (!top.expanded) {
        top.expanded = true;
        const deps = DEPS[node.op]?.(node) ?? node.inputs;
        for (let k = deps.length - 1; k >= 0; k--) {
          const key = valueKey(deps[k]);
          if (!this.values.has(key)) stack.push({ key, expanded: false });
        }
        continue;
      }
      stack.pop();
      this.current = node;
      this.convertNode(node);
    }
  }

  private value(ref: string): Value {
    const v = this.values.get(valueKey(ref));
    if (!v) throw new NullcamError(`${this.graph.source}: no converted value for ${ref}`);
    return v;
  }

  private input(node: TfjsNode, k: number): Value {
    const ref = node.inputs[k];
    if (ref === undefined) throw this.fail(`missing input ${k}`);
    return this.value(ref);
  }

  private konstInput(node: TfjsNode, k: number): Konst {
    const v = this.input(node, k);
    if (!v.konst) throw this.fail(`input ${k} (${node.inputs[k]}) must be a constant`);
    return v.konst;
  }

  private fail(what: string): NullcamError {
    const n = this.current;
    const at = n ? ` at node ${n.name} (${n.op})` : '';
    return new NullcamError(`${this.graph.source}: cannot convert ${what}${at}`);
  }

  private fresh(base: string): string {
    let name = base;
    for (let k = 1; this.used.has(name) || this.isOtherNodesName(name); k++) name = `${base}_${k}`;
    this.used.add(name);
    return name;
  }

  private emit(op: string, inputs: string[], outputs: string[], attrs: onnxProto.onnx.IAttributeProto[] = []): void {
    this.onnxNodes.push({ opType: op, input: inputs, output: outputs, name: outputs[0], attribute: attrs });
  }

  /** Emits one ONNX node with a fresh output name and returns that name. */
  private op(op: string, inputs: string[], base: string, attrs: onnxProto.onnx.IAttributeProto[] = []): string {
    const out = this.fresh(base);
    this.emit(op, inputs, [out], attrs);
    return out;
  }

  private define(node: TfjsNode, v: Omit<Value, 'name'> & { name?: string }, index = 0): void {
    const key = index === 0 ? node.name : `${node.name}:${index}`;
    this.values.set(key, { ...v, name: v.name ?? key });
  }

  /**
   * Registers an initializer once per key (callers derive keys from content: a TF const and its transform)
   * and returns its ONNX name: the key, unless a node output already took that name.
   */
  private initializer(key: string, dtype: Dtype, shape: readonly number[], data: ArrayLike<number>): string {
    const known = this.initialized.get(key);
    if (known) return known;
    const name = this.used.has(key) ? this.fresh(key) : key;
    this.used.add(name);
    this.initialized.set(key, name);
    let raw: Uint8Array;
    if (dtype === 'float32') raw = bytesOf(Float32Array.from(data));
    else if (dtype === 'int32') raw = bytesOf(Int32Array.from(data));
    else if (dtype === 'int64') raw = bytesOf(BigInt64Array.from(Array.from(data, (x) => BigInt(x))));
    else raw = Uint8Array.from(data);
    this.initializers.push({ name, dataType: ONNX_DTYPE[dtype], dims: [...shape], rawData: raw });
    return name;
  }

  /** A new initializer named after the node being converted (`<node>/<base>`). */
  private constant(base: string, dtype: Dtype, shape: readonly number[], data: ArrayLike<number>): string {
    let key = this.nameFor(base);
    for (let k = 1; this.initialized.has(key); k++) key = `${this.nameFor(base)}_${k}`;
    return this.initializer(key, dtype, shape, data);
  }

  /** An int64 vector (axes, pads, shapes), as ONNX wants for those inputs. */
  private int64s(base: string, values: readonly number[]): string {
    return this.constant(base, 'int64', [values.length], values);
  }

  private nameFor(base: string): string {
    return this.current ? `${this.current.name}/${base}` : base;
  }

  /** The value in TF layout (materializing constants as initializers). */
  private tf(v: Value): string {
    if (v.tensorArray) throw this.fail(`TensorArray ${v.tensorArray} used as a tensor`);
    if (v.konst) return this.initializer(v.name, v.konst.dtype, v.konst.shape, v.konst.data);
    if (v.layout === 'tf') return v.name;
    return this.relayout(v, 'tf');
  }

  /** A rank-4 value in NCHW. */
  private nchw(v: Value): string {
    if (v.layout === 'nchw') return v.name;
    if (v.konst) throw this.fail('a constant where a feature map was expected');
    return this.relayout(v, 'nchw');
  }

  private relayout(v: Value, to: 'tf' | 'nchw'): string {
    const key = `${v.name}|${to}`;
    const done = this.relaid.get(key);
    if (done) return done;
    const perm = to === 'nchw' ? NCHW_FROM_NHWC : NHWC_FROM_NCHW;
    const out = this.fresh(`${v.name}/${to === 'nchw' ? 'to_nchw' : 'to_nhwc'}`);
    this.emit('Transpose', [v.name], [out], [ints('perm', perm)]);
    this.relaid.set(key, out);
    return out;
  }

  /**
   * A constant operand for broadcasting against an NCHW value: TF broadcasts it against NHWC, so left-pad
   * its shape to rank 4 and move the channel axis; a scalar needs nothing.
   */
  private nchwOperand(k: Konst, name: string): string {
    if (k.shape.length > 4) throw this.fail(`a rank-${k.shape.length} constant broadcast against a feature map`);
    if (k.shape.length === 0 || k.data.length === 1) return this.initializer(name, k.dtype, k.shape, k.data);
    const s4 = [...Array(4 - k.shape.length).fill(1), ...k.shape];
    const t = transposeData(k.data, s4, NCHW_FROM_NHWC);
    return this.initializer(`${name}/nchw`, k.dtype, NCHW_FROM_NHWC.map((a) => s4[a]), t);
  }

  /** Brings operands to one layout: NCHW when every non-constant operand is NCHW, TF layout otherwise. */
  private operands(vs: Value[]): { names: string[]; layout: 'tf' | 'nchw' } {
    const dynamic = vs.filter((v) => !v.konst);
    const nchw = dynamic.length > 0 && dynamic.every((v) => v.layout === 'nchw');
    if (!nchw) return { names: vs.map((v) => this.tf(v)), layout: 'tf' };
    return { names: vs.map((v) => (v.konst ? this.nchwOperand(v.konst, v.name) : v.name)), layout: 'nchw' };
  }

  private convertNode(node: TfjsNode): void {
    const fused = attrStrings(node, 'fused_ops');
    this.opsSeen.add(fused.length ? `${node.op}[${fused.join(',')}]` : node.op);
    const handler = HANDLERS[node.op];
    if (!handler) throw this.fail(`op ${node.op}`);
    handler.call(this, node);
  }

  // ---- handlers ---------------------------------------------------------------------------------

  constNode(node: TfjsNode): void {
    const w = this.graph.weights.get(node.name);
    if (!w) throw this.fail('a constant with no weight in the manifest');
    this.define(node, { dtype: w.dtype, layout: 'tf', konst: { dtype: w.dtype, shape: w.shape, data: w.data } });
  }

  identity(node: TfjsNode): void {
    const v = this.input(node, 0);
    this.values.set(node.name, v);
  }

  unary(node: TfjsNode): void {
    const v = this.input(node, 0);
    const x = v.layout === 'nchw' ? v.name : this.tf(v);
    const out = this.fresh(node.name);
    const name = this.activation(node.op, x, out, node);
    this.define(node, { name, dtype: v.dtype, layout: v.layout });
  }

  /** Emits `act(x)` with output name `out` and returns it. */
  private activation(act: string, x: string, out: string, node: TfjsNode, alpha?: string): string {
    switch (act) {
      case 'Relu':
      case 'Sigmoid':
      case 'Abs':
      case 'Neg':
      case 'Exp':
      case 'Log':
      case 'Tanh':
      case 'Sqrt':
      case 'Reciprocal':
      case 'Ceil':
      case 'Elu':
        this.emit(act, [x], [out]);
        return out;
      case 'Relu6':
        this.emit('Clip', [x, this.initializer('relu6/min', 'float32', [], [0]), this.initializer('relu6/max', 'float32', [], [6])], [out]);
        return out;
      case 'LeakyRelu':
        this.emit('LeakyRelu', [x], [out], [float('alpha', attrFloat(node, 'alpha') ?? attrFloat(node, 'leakyrelu_alpha') ?? 0.2)]);
        return out;
      case 'Rsqrt':
        this.emit('Reciprocal', [this.op('Sqrt', [x], `${out}/sqrt`)], [out]);
        return out;
      case 'Square':
        this.emit('Mul', [x, x], [out]);
        return out;
      case 'Prelu':
        if (!alpha) throw this.fail('Prelu without alpha');
        this.emit('PRelu', [x, alpha], [out]);
        return out;
      default:
        throw this.fail(`activation ${act}`);
    }
  }

  binary(node: TfjsNode): void {
    const a = this.input(node, 0);
    const b = this.input(node, 1);
    const { names, layout } = this.operands([a, b]);
    const onnxOp = BINARY[node.op];
    const out = this.fresh(node.name);
    if (node.op === 'SquaredDifference') {
      const d = this.op('Sub', names, `${out}/diff`);
      this.emit('Mul', [d, d], [out]);
    } else {
      this.emit(onnxOp, names, [out]);
    }
    const dtype = COMPARISON.has(node.op) || node.op === 'LogicalAnd' ? 'bool' : a.konst ? b.dtype : a.dtype;
    this.define(node, { name: out, dtype, layout });
  }

  prelu(node: TfjsNode): void {
    const x = this.input(node, 0);
    const alpha = this.input(node, 1);
    if (!alpha.konst) throw this.fail('Prelu with a non-constant alpha');
    const { names, layout } = this.operands([x, alpha]);
    const out = this.fresh(node.name);
    this.emit('PRelu', names, [out]);
    this.define(node, { name: out, dtype: x.dtype, layout });
  }

  addN(node: TfjsNode): void {
    const vs = node.inputs.map((_, k) => this.input(node, k));
    const { names, layout } = this.operands(vs);
    const out = this.fresh(node.name);
    this.emit('Sum', names, [out]);
    this.define(node, { name: out, dtype: vs[0].dtype, layout });
  }

  conv(node: TfjsNode): void {
    const x = this.input(node, 0);
    const filter = this.konstInput(node, 1);
    if (filter.shape.length !== 4) throw this.fail(`a filter of shape [${filter.shape}]`);
    const format = attrString(node, 'data_format') ?? 'NHWC';
    if (format !== 'NHWC') throw this.fail(`data_format ${format}`);
    const depthwise = node.op.includes('Depthwise');
    const [kh, kw, cin, cm] = filter.shape;
    let weights: { shape: number[]; data: Float32Array | Int32Array };
    if (depthwise) {
      // HWCM → (C·M)×1×H×W; TF orders depthwise output channels c·M + m, which is ONNX's group-major order.
      weights = { shape: [cin * cm, 1, kh, kw], data: transposeData(filter.data, filter.shape, [2, 3, 0, 1]) };
    } else {
      // HWIO → OIHW.
      weights = { shape: [cm, cin, kh, kw], data: transposeData(filter.data, filter.shape, [3, 2, 0, 1]) };
    }
    const wName = this.initializer(`${node.inputs[1]}/oihw`, 'float32', weights.shape, weights.data);
    const outChannels = weights.shape[0];
    const strides = attrInts(node, 'strides') ?? [1, 1, 1, 1];
    const dilations = attrInts(node, 'dilations') ?? [1, 1, 1, 1];
    const attrs = [
      ints('kernel_shape', [kh, kw]),
      ints('strides', [strides[1], strides[2]]),
      ints('dilations', [dilations[1], dilations[2]]),
      ...this.padding(node),
    ];
    if (depthwise) attrs.push(int('group', cin));
    const inputs = [this.nchw(x), wName];
    const fused = attrStrings(node, 'fused_ops');
    let args = 2;
    if (fused[0] === 'BiasAdd') {
      const bias = this.konstInput(node, args++);
      inputs.push(this.initializer(`${this.input(node, 2).name}/bias`, 'float32', [outChannels], bias.data));
    }
    const activations = fused[0] === 'BiasAdd' ? fused.slice(1) : fused;
    if (activations.length > 1) throw this.fail(`fused ops ${fused.join(',')}`);
    const act = activations[0];
    const convOut = this.fresh(act ? `${node.name}/conv` : node.name);
    this.emit('Conv', inputs, [convOut], attrs);
    let out = convOut;
    if (act) {
      let alpha: string | undefined;
      if (act === 'Prelu') alpha = this.nchwOperand(this.konstInput(node, args), node.inputs[args]);
      out = this.activation(act, convOut, this.fresh(node.name), node, alpha);
    }
    this.define(node, { name: out, dtype: 'float32', layout: 'nchw' });
  }

  /** TF padding attrs → ONNX: SAME puts the odd pixel after, which is ONNX SAME_UPPER. */
  private padding(node: TfjsNode): onnxProto.onnx.IAttributeProto[] {
    const padding = attrString(node, 'padding');
    if (padding === 'SAME') return [str('auto_pad', 'SAME_UPPER')];
    if (padding === 'VALID') return [ints('pads', [0, 0, 0, 0])];
    if (padding === 'EXPLICIT') {
      const p = attrInts(node, 'explicit_paddings') ?? [];
      if (p.length !== 8) throw this.fail(`explicit_paddings [${p}]`);
      return [ints('pads', [p[2], p[4], p[3], p[5]])];
    }
    throw this.fail(`padding ${padding}`);
  }

  pool(node: TfjsNode): void {
    const x = this.input(node, 0);
    const format = attrString(node, 'data_format') ?? 'NHWC';
    if (format !== 'NHWC') throw this.fail(`data_format ${format}`);
    const k = attrInts(node, 'ksize') ?? [];
    const s = attrInts(node, 'strides') ?? [];
    if (k[0] !== 1 || k[3] !== 1 || s[0] !== 1 || s[3] !== 1) throw this.fail(`pooling over batch or channels (ksize [${k}], strides [${s}])`);
    const out = this.fresh(node.name);
    // TF's AvgPool SAME excludes padding from the average: ONNX's default count_include_pad=0.
    this.emit(node.op === 'MaxPool' ? 'MaxPool' : 'AveragePool', [this.nchw(x)], [out], [
      ints('kernel_shape', [k[1], k[2]]),
      ints('strides', [s[1], s[2]]),
      ...this.padding(node),
    ]);
    this.define(node, { name: out, dtype: x.dtype, layout: 'nchw' });
  }

  pad(node: TfjsNode): void {
    const x = this.input(node, 0);
    const pv = this.input(node, 1);
    if (!pv.konst) {
      if (node.op !== 'Pad') throw this.fail(`${node.op} with computed paddings`);
      // [[b0,e0],[b1,e1],…] → [b0,b1,…,e0,e1,…] as int64.
      const flat = this.op('Reshape', [this.op('Transpose', [this.tf(pv)], `${node.name}/pads_t`, [ints('perm', [1, 0])]), this.int64s('flat', [-1])], `${node.name}/pads_flat`);
      const pads = this.op('Cast', [flat], `${node.name}/pads`, [int('to', ONNX_DTYPE.int64)]);
      const out = this.fresh(node.name);
      this.emit('Pad', [this.tf(x), pads], [out]);
      this.define(node, { name: out, dtype: x.dtype, layout: 'tf' });
      return;
    }
    const p = pv.konst;
    const rank = p.shape[0];
    let begins = Array.from({ length: rank }, (_, i) => p.data[2 * i]);
    let ends = Array.from({ length: rank }, (_, i) => p.data[2 * i + 1]);
    let xName: string;
    if (x.layout === 'nchw') {
      begins = NCHW_FROM_NHWC.map((a) => begins[a]);
      ends = NCHW_FROM_NHWC.map((a) => ends[a]);
      xName = x.name;
    } else {
      xName = this.tf(x);
    }
    const inputs = [xName, this.int64s('pads', [...begins, ...ends])];
    const attrs: onnxProto.onnx.IAttributeProto[] = [];
    if (node.op === 'PadV2') {
      const c = this.konstInput(node, 2);
      inputs.push(this.constant('constant_value', x.dtype === 'int32' ? 'int32' : 'float32', [], [c.data[0]]));
    } else if (node.op === 'MirrorPad') {
      const mode = attrString(node, 'mode');
      if (mode !== 'REFLECT') throw this.fail(`MirrorPad mode ${mode}`);
      attrs.push(str('mode', 'reflect'));
    }
    const out = this.fresh(node.name);
    this.emit('Pad', inputs, [out], attrs);
    this.define(node, { name: out, dtype: x.dtype, layout: x.layout === 'nchw' ? 'nchw' : 'tf' });
  }

  reshape(node: TfjsNode): void {
    const x = this.input(node, 0);
    const shape = this.input(node, 1);
    const shapeName = shape.konst
      ? this.int64s('shape', Array.from(shape.konst.data))
      : this.op('Cast', [this.tf(shape)], `${node.name}/shape64`, [int('to', ONNX_DTYPE.int64)]);
    const out = this.fresh(node.name);
    this.emit('Reshape', [this.tf(x), shapeName], [out]);
    this.define(node, { name: out, dtype: x.dtype, layout: 'tf' });
  }

  /**
   * Axes of a reduction or squeeze on an NCHW value, when the result (after dropping `axes`) comes out in
   * TF order too; undefined when it would not, and the caller must go back to TF layout first.
   */
  private nchwAxes(axes: number[], keepDims: boolean): number[] | undefined {
    const norm = axes.map((a) => (a < 0 ? a + 4 : a));
    if (!keepDims) {
      const remaining = NCHW_FROM_NHWC.filter((a) => !norm.includes(a));
      if (remaining.some((a, i) => i > 0 && a < remaining[i - 1])) return undefined;
    }
    return norm.map((a) => NCHW_FROM_NHWC.indexOf(a as 0 | 1 | 2 | 3)).sort((p, q) => p - q);
  }

  reduce(node: TfjsNode): void {
    const x = this.input(node, 0);
    const axes = Array.from(this.konstInput(node, 1).data);
    const keep = attrBool(node, 'keep_dims') ?? false;
    const mapped = x.layout === 'nchw' ? this.nchwAxes(axes, keep) : undefined;
    const xName = mapped ? x.name : this.tf(x);
    const useAxes = mapped ?? axes;
    const layout = mapped && keep ? 'nchw' : 'tf';
    const out = this.fresh(node.name);
    const op = REDUCE[node.op];
    if (op === 'ReduceSum') {
      this.emit(op, [xName, this.int64s('axes', useAxes)], [out], [int('keepdims', keep ? 1 : 0)]);
    } else {
      this.emit(op, [xName], [out], [ints('axes', useAxes), int('keepdims', keep ? 1 : 0)]);
    }
    this.define(node, { name: out, dtype: x.dtype, layout });
  }

  squeeze(node: TfjsNode): void {
    const x = this.input(node, 0);
    const axes = attrInts(node, 'squeeze_dims') ?? attrInts(node, 'axis') ?? [];
    const mapped = x.layout === 'nchw' && axes.length > 0 ? this.nchwAxes(axes, false) : undefined;
    const xName = mapped ? x.name : this.tf(x);
    const useAxes = mapped ?? axes;
    const out = this.fresh(node.name);
    this.emit('Squeeze', useAxes.length ? [xName, this.int64s('axes', useAxes)] : [xName], [out]);
    this.define(node, { name: out, dtype: x.dtype, layout: 'tf' });
  }

  expandDims(node: TfjsNode): void {
    const x = this.input(node, 0);
    const axis = Array.from(this.konstInput(node, 1).data);
    const out = this.fresh(node.name);
    this.emit('Unsqueeze', [this.tf(x), this.int64s('axes', axis)], [out]);
    this.define(node, { name: out, dtype: x.dtype, layout: 'tf' });
  }

  concat(node: TfjsNode): void {
    const n = node.inputs.length - 1;
    const vs = Array.from({ length: n }, (_, k) => this.input(node, k));
    let axis = this.konstInput(node, n).data[0];
    const { names, layout } = this.operands(vs);
    if (layout === 'nchw') axis = NCHW_FROM_NHWC.indexOf((axis < 0 ? axis + 4 : axis) as 0 | 1 | 2 | 3);
    // Constants joining an NCHW concat must be 4-D already: operands() only reorders their data.
    if (layout === 'nchw' && vs.some((v) => v.konst && v.konst.shape.length !== 4)) throw this.fail('a constant of rank < 4 in a feature-map concat');
    const out = this.fresh(node.name);
    this.emit('Concat', names, [out], [int('axis', axis)]);
    this.define(node, { name: out, dtype: vs[0].dtype, layout });
  }

  matmul(node: TfjsNode): void {
    const a = this.input(node, 0);
    const b = this.input(node, 1);
    const ta = attrBool(node, 'transpose_a') ?? false;
    const tb = attrBool(node, 'transpose_b') ?? false;
    let aName = this.tf(a);
    if (ta) aName = this.op('Transpose', [aName], `${node.name}/a_t`, [ints('perm', [1, 0])]);
    let bName: string;
    if (b.konst && b.konst.shape.length === 2) {
      const [r, c] = b.konst.shape;
      bName = tb
        ? this.initializer(`${b.name}/t`, 'float32', [c, r], transposeData(b.konst.data, [r, c], [1, 0]))
        : this.tf(b);
    } else {
      bName = this.tf(b);
      if (tb) bName = this.op('Transpose', [bName], `${node.name}/b_t`, [ints('perm', [1, 0])]);
    }
    const fused = attrStrings(node, 'fused_ops');
    let out = this.op('MatMul', [aName, bName], fused.length ? `${node.name}/matmul` : node.name);
    let args = 2;
    if (fused[0] === 'BiasAdd') {
      out = this.op('Add', [out, this.tf(this.input(node, args++))], fused.length > 1 ? `${node.name}/bias` : node.name);
    }
    const activations = fused[0] === 'BiasAdd' ? fused.slice(1) : fused;
    if (activations.length > 1) throw this.fail(`fused ops ${fused.join(',')}`);
    if (activations[0]) {
      const alpha = activations[0] === 'Prelu' ? this.tf(this.input(node, args)) : undefined;
      out = this.activation(activations[0], out, this.fresh(node.name), node, alpha);
    }
    this.define(node, { name: out, dtype: 'float32', layout: 'tf' });
  }

  biasAdd(node: TfjsNode): void {
    this.binary({ ...node, op: 'Add' });
  }

  softmax(node: TfjsNode): void {
    const x = this.input(node, 0);
    const out = this.fresh(node.name);
    this.emit('Softmax', [this.tf(x)], [out], [int('axis', -1)]);
    this.define(node, { name: out, dtype: x.dtype, layout: 'tf' });
  }

  cast(node: TfjsNode): void {
    const x = this.input(node, 0);
    // tfjs has no float64: it runs DT_DOUBLE casts (TF OD API's image_padding) as float32, and so do we.
    const dst = attrType(node, 'DstT') ?? '';
    const to = dst === 'DT_DOUBLE' ? 'float32' : TF_DTYPE[dst];
    if (!to) throw this.fail(`Cast to ${attrType(node, 'DstT')}`);
    const out = this.fresh(node.name);
    this.emit('Cast', [x.layout === 'nchw' ? x.name : this.tf(x)], [out], [int('to', ONNX_DTYPE[to])]);
    this.define(node, { name: out, dtype: to, layout: x.layout });
  }

  shape(node: TfjsNode): void {
    const x = this.input(node, 0);
    const to = TF_DTYPE[attrType(node, 'out_type') ?? 'DT_INT32'] ?? 'int32';
    let s = this.op('Shape', [x.layout === 'nchw' ? x.name : this.tf(x)], `${node.name}/shape`);
    if (x.layout === 'nchw') s = this.op('Gather', [s, this.int64s('nhwc', NHWC_FROM_NCHW)], `${node.name}/nhwc`, [int('axis', 0)]);
    const out = this.fresh(node.name);
    this.emit('Cast', [s], [out], [int('to', ONNX_DTYPE[to])]);
    this.define(node, { name: out, dtype: to, layout: 'tf' });
  }

  stridedSlice(node: TfjsNode): void {
    const x = this.input(node, 0);
    const begin = Array.from(this.konstInput(node, 1).data);
    const end = Array.from(this.konstInput(node, 2).data);
    const strides = Array.from(this.konstInput(node, 3).data);
    const mask = (k: string) => attrInt(node, k) ?? 0;
    if (mask('ellipsis_mask') || mask('new_axis_mask')) throw this.fail('StridedSlice with ellipsis_mask or new_axis_mask');
    const starts: number[] = [];
    const ends: number[] = [];
    const shrink: number[] = [];
    for (let i = 0; i < begin.length; i++) {
      const bit = 1 << i;
      const step = strides[i];
      let s = begin[i];
      let e = end[i];
      if (mask('begin_mask') & bit) s = step > 0 ? 0 : SLICE_END;
      if (mask('end_mask') & bit) e = step > 0 ? SLICE_END : -SLICE_END;
      if (mask('shrink_axis_mask') & bit) {
        e = s === -1 ? SLICE_END : s + 1;
        shrink.push(i);
      }
      starts.push(s);
      ends.push(e);
    }
    const axes = begin.map((_, i) => i);
    let out = this.op(
      'Slice',
      [this.tf(x), this.int64s('starts', starts), this.int64s('ends', ends), this.int64s('axes', axes), this.int64s('steps', strides)],
      shrink.length ? `${node.name}/slice` : node.name,
    );
    if (shrink.length) out = this.op('Squeeze', [out, this.int64s('shrink', shrink)], node.name);
    this.define(node, { name: out, dtype: x.dtype, layout: 'tf' });
  }

  pack(node: TfjsNode): void {
    const axis = attrInt(node, 'axis') ?? 0;
    const vs = node.inputs.map((_, k) => this.input(node, k));
    const parts = vs.map((v, k) => {
      if (v.konst && v.konst.shape.length === 0 && axis === 0) {
        return this.initializer(`${v.name}/packed`, v.konst.dtype, [1], v.konst.data);
      }
      return this.op('Unsqueeze', [this.tf(v), this.int64s(`axis`, [axis])], `${node.name}/part${k}`);
    });
    const out = this.fresh(node.name);
    this.emit('Concat', parts, [out], [int('axis', axis)]);
    this.define(node, { name: out, dtype: vs[0].dtype, layout: 'tf' });
  }

  resizeBilinear(node: TfjsNode): void {
    const x = this.input(node, 0);
    const size = this.konstInput(node, 1);
    const align = attrBool(node, 'align_corners') ?? false;
    const half = attrBool(node, 'half_pixel_centers') ?? false;
    const xName = this.nchw(x);
    const nc = this.op('Slice', [this.op('Shape', [xName], `${node.name}/shape`), this.int64s('zero', [0]), this.int64s('two', [2])], `${node.name}/nc`);
    const sizes = this.op('Concat', [nc, this.int64s('hw', Array.from(size.data))], `${node.name}/sizes`, [int('axis', 0)]);
    const mode = align ? 'align_corners' : half ? 'half_pixel' : 'asymmetric';
    const out = this.fresh(node.name);
    this.emit('Resize', [xName, '', '', sizes], [out], [str('mode', 'linear'), str('coordinate_transformation_mode', mode)]);
    this.define(node, { name: out, dtype: x.dtype, layout: 'nchw' });
  }

  depthToSpace(node: TfjsNode): void {
    const x = this.input(node, 0);
    const format = attrString(node, 'data_format') ?? 'NHWC';
    if (format !== 'NHWC') throw this.fail(`data_format ${format}`);
    const out = this.fresh(node.name);
    // TF's NHWC depth_to_space reads channel (i·bs + j)·C + c: ONNX's DCR mode.
    this.emit('DepthToSpace', [this.nchw(x)], [out], [int('blocksize', attrInt(node, 'block_size') ?? 2), str('mode', 'DCR')]);
    this.define(node, { name: out, dtype: x.dtype, layout: 'nchw' });
  }

  /** An int32 shape-like operand (multiples, dims) as the int64 ONNX wants. */
  private asInt64(v: Value, base: string): string {
    if (v.konst) return this.int64s(base, Array.from(v.konst.data));
    if (v.dtype === 'int64') return this.tf(v);
    return this.op('Cast', [this.tf(v)], this.nameFor(base), [int('to', ONNX_DTYPE.int64)]);
  }

  tile(node: TfjsNode): void {
    const x = this.input(node, 0);
    const out = this.fresh(node.name);
    this.emit('Tile', [this.tf(x), this.asInt64(this.input(node, 1), 'multiples')], [out]);
    this.define(node, { name: out, dtype: x.dtype, layout: 'tf' });
  }

  broadcastTo(node: TfjsNode): void {
    const x = this.input(node, 0);
    const out = this.fresh(node.name);
    this.emit('Expand', [this.tf(x), this.asInt64(this.input(node, 1), 'shape')], [out]);
    this.define(node, { name: out, dtype: x.dtype, layout: 'tf' });
  }

  fill(node: TfjsNode): void {
    const value = this.input(node, 1);
    const out = this.fresh(node.name);
    this.emit('Expand', [this.tf(value), this.asInt64(this.input(node, 0), 'dims')], [out]);
    this.define(node, { name: out, dtype: value.dtype, layout: 'tf' });
  }

  range(node: TfjsNode): void {
    const [start, limit, delta] = [0, 1, 2].map((k) => this.input(node, k));
    const out = this.fresh(node.name);
    this.emit('Range', [this.tf(start), this.tf(limit), this.tf(delta)], [out]);
    this.define(node, { name: out, dtype: start.dtype, layout: 'tf' });
  }

  size(node: TfjsNode): void {
    const x = this.input(node, 0);
    const to = TF_DTYPE[attrType(node, 'out_type') ?? 'DT_INT32'] ?? 'int32';
    const n = this.op('Size', [x.layout === 'nchw' ? x.name : this.tf(x)], `${node.name}/size`);
    const out = this.fresh(node.name);
    this.emit('Cast', [n], [out], [int('to', ONNX_DTYPE[to])]);
    this.define(node, { name: out, dtype: to, layout: 'tf' });
  }

  unpack(node: TfjsNode): void {
    const x = this.input(node, 0);
    const axis = attrInt(node, 'axis') ?? 0;
    const num = attrInt(node, 'num');
    if (!num) throw this.fail('Unpack without num');
    const parts = Array.from({ length: num }, (_, k) => this.fresh(`${node.name}/split${k}`));
    // Opset 13 Split without a `split` input cuts into as many equal parts as it has outputs.
    this.emit('Split', [this.tf(x)], parts, [int('axis', axis)]);
    parts.forEach((part, k) => {
      const out = this.op('Squeeze', [part, this.int64s('axis', [axis])], k === 0 ? node.name : `${node.name}:${k}`);
      this.define(node, { name: out, dtype: x.dtype, layout: 'tf' }, k);
    });
  }

  where(node: TfjsNode): void {
    const x = this.input(node, 0);
    // TF: [k, rank] int64 coordinates of true elements; ONNX NonZero gives [rank, k].
    const nz = this.op('NonZero', [this.tf(x)], `${node.name}/nonzero`);
    const out = this.fresh(node.name);
    this.emit('Transpose', [nz], [out], [ints('perm', [1, 0])]);
    this.define(node, { name: out, dtype: 'int64', layout: 'tf' });
  }

  gather(node: TfjsNode): void {
    const params = this.input(node, 0);
    const indices = this.input(node, 1);
    const axis = this.konstInput(node, 2).data[0];
    if ((attrInt(node, 'batch_dims') ?? 0) !== 0) throw this.fail('GatherV2 with batch_dims');
    const out = this.fresh(node.name);
    this.emit('Gather', [this.tf(params), this.tf(indices)], [out], [int('axis', axis)]);
    this.define(node, { name: out, dtype: params.dtype, layout: 'tf' });
  }

  /**
   * TF's single-class NMS on [k,4] boxes and [k] scores → ONNX's batched, multi-class form ([1,k,4], [1,1,k]),
   * keeping column 2 (box index) of its [m,3] result. Both keep boxes in descending score order and use
   * strict "iou > threshold suppresses" and "score > threshold survives" tests; corners are [y1,x1,y2,x2].
   */
  nonMaxSuppression(node: TfjsNode): void {
    const boxes = this.op('Unsqueeze', [this.tf(this.input(node, 0)), this.int64s('axes', [0])], `${node.name}/boxes`);
    const scores = this.op('Unsqueeze', [this.tf(this.input(node, 1)), this.int64s('axes', [0, 1])], `${node.name}/scores`);
    const scalar1 = (k: number, base: string, dtype: 'int64' | 'float32'): string => {
      const v = this.input(node, k);
      if (v.konst) return this.constant(base, dtype, [1], [v.konst.data[0]]);
      const cast = dtype === 'int64' ? this.op('Cast', [this.tf(v)], `${node.name}/${base}_i64`, [int('to', ONNX_DTYPE.int64)]) : this.tf(v);
      return this.op('Reshape', [cast, this.int64s('one', [1])], `${node.name}/${base}`);
    };
    const selected = this.op(
      'NonMaxSuppression',
      [boxes, scores, scalar1(2, 'max_output_size', 'int64'), scalar1(3, 'iou_threshold', 'float32'), scalar1(4, 'score_threshold', 'float32')],
      `${node.name}/selected`,
    );
    const index = this.op('Gather', [selected, this.constant('column', 'int64', [], [2])], `${node.name}/index`, [int('axis', 1)]);
    const out = this.fresh(node.name);
    this.emit('Cast', [index], [out], [int('to', ONNX_DTYPE.int32)]);
    this.define(node, { name: out, dtype: 'int32', layout: 'tf' });
  }

  tensorArray(node: TfjsNode): void {
    const ta = { name: node.name, dtype: 'float32' as const, layout: 'tf' as const, tensorArray: node.name };
    this.define(node, ta, 0);
    this.define(node, ta, 1);
  }

  /** Scatter with indices 0..n-1 (what map_fn's unstack writes): the array is the value itself. */
  tensorArrayScatter(node: TfjsNode): void {
    const ta = this.input(node, 0).tensorArray;
    if (!ta) throw this.fail('a scatter into something that is not a TensorArray');
    const range = this.nodesByName.get(nodeName(node.inputs[1]));
    const scalarConst = (ref: string | undefined) => (ref === undefined ? undefined : this.graph.weights.get(nodeName(ref))?.data[0]);
    if (range?.op !== 'Range' || scalarConst(range.inputs[0]) !== 0 || scalarConst(range.inputs[2]) !== 1) {
      throw this.fail('a TensorArray scatter whose indices are not range(0, n, 1)');
    }
    this.stacked.set(ta, this.tf(this.input(node, 2)));
    this.define(node, { name: ta, dtype: 'float32', layout: 'tf', tensorArray: ta });
  }

  tensorArrayRead(node: TfjsNode): void {
    const ta = this.input(node, 0).tensorArray;
    const stacked = ta && this.stacked.get(ta);
    if (!stacked) throw this.fail(`a read from TensorArray ${ta} that was never scattered`);
    const out = this.fresh(node.name);
    this.emit('Gather', [stacked, this.tf(this.input(node, 1))], [out], [int('axis', 0)]);
    this.define(node, { name: out, dtype: TF_DTYPE[attrType(node, 'dtype') ?? 'DT_FLOAT'] ?? 'float32', layout: 'tf' });
  }

  /** Inside a loop body only: the value written becomes the loop's scan output for that array. */
  tensorArrayWrite(node: TfjsNode): void {
    const ta = this.input(node, 0).tensorArray;
    if (!ta || !this.written) throw this.fail('a TensorArray write outside a while loop');
    if (this.written.has(ta)) throw this.fail(`two writes to TensorArray ${ta} in one iteration`);
    this.written.set(ta, this.input(node, 2));
    this.define(node, { name: ta, dtype: 'float32', layout: 'tf', tensorArray: ta });
  }

  /** Gathering all elements after the loop: the scan output stacked them in iteration order. */
  tensorArrayGather(node: TfjsNode): void {
    const ta = this.input(node, 0).tensorArray;
    const stacked = ta && this.stacked.get(ta);
    if (!stacked) throw this.fail(`a gather from TensorArray ${ta} that no loop filled`);
    this.define(node, { name: stacked, dtype: TF_DTYPE[attrType(node, 'dtype') ?? 'DT_FLOAT'] ?? 'float32', layout: 'tf' });
  }

  exit(node: TfjsNode): void {
    this.lowerLoop(whileFrameOf(this.graph.nodes, node));
    if (!this.values.has(node.name)) throw this.fail('an Exit the loop lowering did not produce');
  }

  /** Runs `fn` emitting into `nodes` with private copies of the value and relayout maps. */
  private inScope<T>(nodes: onnxProto.onnx.INodeProto[], fn: () => T): T {
    const saved = { nodes: this.onnxNodes, values: new Map(this.values), relaid: this.relaid, current: this.current };
    this.onnxNodes = nodes;
    this.relaid = new Map(nodes === saved.nodes ? this.relaid : []);
    try {
      return fn();
    } finally {
      this.onnxNodes = saved.nodes;
      this.relaid = saved.relaid;
      this.current = saved.current;
      this.values.clear();
      for (const [k, v] of saved.values) this.values.set(k, v);
    }
  }

  /**
   * Lowers a TF1 while frame to an ONNX Loop. Plain loop variables become Loop-carried values; TensorArray
   * flows written once per iteration become scan outputs (map_fn's stacked results). ONNX tests its
   * condition before the first iteration from an input and afterwards from a body output, so TF's
   * condition subgraph is emitted twice: on the initial values outside, on the next values inside.
   */
  private lowerLoop(frame: WhileFrame): void {
    const outerCurrent = this.current;
    for (const e of [...frame.constants, ...frame.carried.map((c) => c.enter)]) {
      this.visit(e.inputs[0]);
      this.values.set(e.name, this.value(e.inputs[0]));
    }
    this.current = outerCurrent;
    const plain = frame.carried.filter((c) => !c.tensorArray);
    const arrays = frame.carried.filter((c) => c.tensorArray);
    const initial = plain.map((c) => this.value(c.enter.inputs[0]));
    const condRef = frame.loopCond.inputs[0];

    const cond0 = this.inScope(this.onnxNodes, () => {
      for (const c of frame.carried) this.values.set(c.merge.name, this.value(c.enter.inputs[0]));
      this.visit(condRef);
      return this.tf(this.value(condRef));
    });

    const body: onnxProto.onnx.INodeProto[] = [];
    const iter = this.fresh(`${frame.name}/iter`);
    const condIn = this.fresh(`${frame.name}/cond_in`);
    const bodyInputs = [valueInfo(iter, 'int64', []), valueInfo(condIn, 'bool', [])];
    const bodyOutputs: onnxProto.onnx.IValueInfoProto[] = [];
    const scanDtypes: Dtype[] = [];
    this.inScope(body, () => {
      this.written = new Map();
      plain.forEach((c, k) => {
        const v: Value = { name: this.fresh(`${c.merge.name}/in`), dtype: initial[k].dtype, layout: 'tf' };
        bodyInputs.push(valueInfo(v.name, v.dtype));
        this.values.set(c.merge.name, v);
        this.values.set(`${c.switchNode.name}:1`, v);
      });
      for (const c of arrays) {
        const v: Value = { name: c.tensorArray!, dtype: 'float32', layout: 'tf', tensorArray: c.tensorArray };
        this.values.set(c.merge.name, v);
        this.values.set(`${c.switchNode.name}:1`, v);
      }
      const next = plain.map((c) => {
        this.visit(c.next.inputs[0]);
        return this.value(c.next.inputs[0]);
      });
      for (const c of arrays) this.visit(c.next.inputs[0]);
      const condOut = this.inScope(body, () => {
        plain.forEach((c, k) => this.values.set(c.merge.name, next[k]));
        this.visit(condRef);
        return this.tf(this.value(condRef));
      });
      this.current = undefined;
      const out = (name: string, base: string, dtype: Dtype, shape?: number[]) => {
        const id = this.op('Identity', [name], base);
        bodyOutputs.push(valueInfo(id, dtype, shape));
      };
      out(condOut, `${frame.name}/cond_out`, 'bool', []);
      plain.forEach((c, k) => out(this.tf(next[k]), `${c.merge.name}/out`, next[k].dtype));
      for (const c of arrays) {
        const w = this.written!.get(c.tensorArray!);
        if (!w) throw this.fail(`TensorArray ${c.tensorArray} is not written in loop ${frame.name}`);
        scanDtypes.push(w.dtype);
        out(this.tf(w), `${c.tensorArray}/element`, w.dtype);
      }
    });
    this.written = undefined;

    this.current = outerCurrent;
    const finals = plain.map((c) => this.fresh(c.exit?.name ?? `${c.merge.name}/final`));
    const scans = arrays.map((c) => this.fresh(`${c.tensorArray}/stacked`));
    this.emit('Loop', ['', cond0, ...initial.map((v) => this.tf(v))], [...finals, ...scans], [
      { name: 'body', type: onnx.AttributeProto.AttributeType.GRAPH, g: { name: frame.name, node: body, input: bodyInputs, output: bodyOutputs } },
    ]);
    plain.forEach((c, k) => {
      if (c.exit) this.values.set(c.exit.name, { name: finals[k], dtype: initial[k].dtype, layout: 'tf' });
    });
    arrays.forEach((c, k) => {
      this.stacked.set(c.tensorArray!, scans[k]);
      if (c.exit) this.values.set(c.exit.name, { name: c.tensorArray!, dtype: scanDtypes[k], layout: 'tf', tensorArray: c.tensorArray });
    });
  }
}

function valueInfo(name: string, dtype: Dtype, shape?: number[]): onnxProto.onnx.IValueInfoProto {
  return { name, type: { tensorType: { elemType: ONNX_DTYPE[dtype], shape: shape ? { dim: shape.map((d) => ({ dimValue: d })) } : undefined } } };
}

type Handler = (this: Converter, node: TfjsNode) => void;

/** Inputs to convert before a node, where not all of them: loop plumbing whose other inputs are bookkeeping. */
const DEPS: Readonly<Record<string, (node: TfjsNode) => readonly string[]>> = Object.freeze({
  // The loop lowering converts what an Exit needs, frame and all.
  Exit: () => [],
  // Size only matters to TF's allocator; the index Range of an unstack is checked, not computed.
  TensorArrayV3: () => [],
  TensorArrayScatterV3: (n: TfjsNode) => [n.inputs[0], n.inputs[2], n.inputs[3]],
  TensorArrayGatherV3: (n: TfjsNode) => [n.inputs[0], n.inputs[2]],
});

const COMPARISON: ReadonlySet<string> = new Set(['Less', 'LessEqual', 'Greater', 'GreaterEqual', 'Equal']);

const BINARY: Readonly<Record<string, string>> = Object.freeze({
  Add: 'Add',
  AddV2: 'Add',
  Sub: 'Sub',
  Mul: 'Mul',
  RealDiv: 'Div',
  Minimum: 'Min',
  Maximum: 'Max',
  SquaredDifference: 'Sub',
  Less: 'Less',
  LessEqual: 'LessOrEqual',
  Greater: 'Greater',
  GreaterEqual: 'GreaterOrEqual',
  Equal: 'Equal',
  LogicalAnd: 'And',
});

const REDUCE: Readonly<Record<string, string>> = Object.freeze({
  Mean: 'ReduceMean',
  Sum: 'ReduceSum',
  Max: 'ReduceMax',
});

const HANDLERS: Readonly<Record<string, Handler>> = Object.freeze({
  Const: Converter.prototype.constNode,
  Identity: Converter.prototype.identity,
  ...Object.fromEntries(Object.keys(BINARY).map((op) => [op, Converter.prototype.binary])),
  ...Object.fromEntries(
    ['Relu', 'Relu6', 'Sigmoid', 'Abs', 'Neg', 'Exp', 'Log', 'Tanh', 'Sqrt', 'Rsqrt', 'Reciprocal', 'Square', 'Ceil', 'Elu', 'LeakyRelu'].map(
      (op) => [op, Converter.prototype.unary],
    ),
  ),
  Prelu: Converter.prototype.prelu,
  AddN: Converter.prototype.addN,
  BiasAdd: Converter.prototype.biasAdd,
  Conv2D: Converter.prototype.conv,
  _FusedConv2D: Converter.prototype.conv,
  DepthwiseConv2dNative: Converter.prototype.conv,
  FusedDepthwiseConv2dNative: Converter.prototype.conv,
  MaxPool: Converter.prototype.pool,
  AvgPool: Converter.prototype.pool,
  Pad: Converter.prototype.pad,
  PadV2: Converter.prototype.pad,
  MirrorPad: Converter.prototype.pad,
  Reshape: Converter.prototype.reshape,
  ...Object.fromEntries(Object.keys(REDUCE).map((op) => [op, Converter.prototype.reduce])),
  Squeeze: Converter.prototype.squeeze,
  ExpandDims: Converter.prototype.expandDims,
  ConcatV2: Converter.prototype.concat,
  MatMul: Converter.prototype.matmul,
  _FusedMatMul: Converter.prototype.matmul,
  Softmax: Converter.prototype.softmax,
  Cast: Converter.prototype.cast,
  Shape: Converter.prototype.shape,
  StridedSlice: Converter.prototype.stridedSlice,
  Pack: Converter.prototype.pack,
  ResizeBilinear: Converter.prototype.resizeBilinear,
  DepthToSpace: Converter.prototype.depthToSpace,
  Tile: Converter.prototype.tile,
  BroadcastTo: Converter.prototype.broadcastTo,
  Fill: Converter.prototype.fill,
  Range: Converter.prototype.range,
  Size: Converter.prototype.size,
  Unpack: Converter.prototype.unpack,
  Where: Converter.prototype.where,
  GatherV2: Converter.prototype.gather,
  NonMaxSuppressionV3: Converter.prototype.nonMaxSuppression,
  Enter: Converter.prototype.identity,
  Exit: Converter.prototype.exit,
  TensorArrayV3: Converter.prototype.tensorArray,
  TensorArrayScatterV3: Converter.prototype.tensorArrayScatter,
  TensorArrayReadV3: Converter.prototype.tensorArrayRead,
  TensorArrayWriteV3: Converter.prototype.tensorArrayWrite,
  TensorArrayGatherV3: Converter.prototype.tensorArrayGather,
});

/** The values-map key of a tensor reference: `node` for output 0 (`node:0` included), `node:k` otherwise. */
function valueKey(ref: string): string {
  const [name, index] = splitRef(ref);
  return index === 0 ? name : `${name}:${index}`;
}

function nodeName(ref: string): string {
  return splitRef(ref)[0];
}

/** `node:k` → [node, k]; a bare name is output 0. */
function splitRef(ref: string): [string, number] {
  const m = /^(.*):(\d+)$/.exec(ref);
  return m ? [m[1], Number(m[2])] : [ref, 0];
}

function bytesOf(a: Float32Array | Int32Array | BigInt64Array): Uint8Array {
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
}

/** Permutes a row-major tensor: output axis i is input axis perm[i]. */
function transposeData<T extends Float32Array | Int32Array>(data: T, shape: readonly number[], perm: readonly number[]): T {
  const rank = shape.length;
  const outShape = perm.map((a) => shape[a]);
  const inStrides = new Array<number>(rank);
  for (let i = rank - 1, s = 1; i >= 0; i--) {
    inStrides[i] = s;
    s *= shape[i];
  }
  const stride = perm.map((a) => inStrides[a]);
  const out = new (data.constructor as { new (n: number): T })(data.length);
  const idx = new Array<number>(rank).fill(0);
  for (let o = 0; o < data.length; o++) {
    let src = 0;
    for (let i = 0; i < rank; i++) src += idx[i] * stride[i];
    out[o] = data[src];
    for (let i = rank - 1; i >= 0; i--) {
      if (++idx[i] < outShape[i]) break;
      idx[i] = 0;
    }
  }
  return out;
}

function ints(name: string, values: readonly number[]): onnxProto.onnx.IAttributeProto {
  return { name, type: onnx.AttributeProto.AttributeType.INTS, ints: [...values] };
}

function int(name: string, value: number): onnxProto.onnx.IAttributeProto {
  return { name, type: onnx.AttributeProto.AttributeType.INT, i: value };
}

function float(name: string, value: number): onnxProto.onnx.IAttributeProto {
  return { name, type: onnx.AttributeProto.AttributeType.FLOAT, f: value };
}

function str(name: string, value: string): onnxProto.onnx.IAttributeProto {
  return { name, type: onnx.AttributeProto.AttributeType.STRING, s: new TextEncoder().encode(value) };
}
