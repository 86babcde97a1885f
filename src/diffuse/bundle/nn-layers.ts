/**
 * The layers of diffusers' UNet2DConditionModel and AutoencoderKL, emitted with plain ONNX ops the way
 * torch.onnx exports them (GroupNorm as Reshape + InstanceNormalization, attention as MatMul + Softmax),
 * so graphs built here cost on onnxruntime what an exported model costs. Parameter names follow diffusers.
 * Feature maps are NCHW; token sequences are [batch, tokens, channels].
 */
import { float, int, ints, str, type OnnxGraphBuilder } from './onnx-graph-builder.js';

/** Small random biases: real checkpoints have non-zero ones, and zeros would let ORT fold adds away. */
function bias(g: OnnxGraphBuilder, name: string, n: number, trailing: readonly number[] = []): string {
  return g.param(name, [n, ...trailing], (r) => (2 * r - 1) * 0.02);
}

/** x @ W (+ b) over the last axis: W is [in, out] (torch's weight transposed, as exporters store it). */
export function linear(g: OnnxGraphBuilder, x: string, inF: number, outF: number, name: string, withBias = true): string {
  const y = g.op('MatMul', [x, g.weight(`${name}.weight`, [inF, outF], inF)], `${name}/matmul`);
  return withBias ? g.op('Add', [y, bias(g, `${name}.bias`, outF)], name) : y;
}

export interface ConvOptions {
  readonly stride?: number;
  /** [top, left, bottom, right]; default "same" for odd kernels. */
  readonly pads?: readonly number[];
}

export function conv(g: OnnxGraphBuilder, x: string, inC: number, outC: number, k: number, name: string, o: ConvOptions = {}): string {
  const p = (k - 1) / 2;
  const w = g.weight(`${name}.weight`, [outC, inC, k, k], inC * k * k);
  return g.op('Conv', [x, w, bias(g, `${name}.bias`, outC)], name, [
    ints('kernel_shape', [k, k]),
    ints('strides', [o.stride ?? 1, o.stride ?? 1]),
    ints('pads', o.pads ?? [p, p, p, p]),
  ]);
}

export function silu(g: OnnxGraphBuilder, x: string): string {
  return g.op('Mul', [x, g.op('Sigmoid', [x], `${x}/sigmoid`)], `${x}/silu`);
}

/** Exact GELU, 0.5·x·(1 + erf(x/√2)): onnxruntime fuses this pattern into its Gelu kernel. */
export function gelu(g: OnnxGraphBuilder, x: string): string {
  const e = g.op('Erf', [g.op('Mul', [x, g.floats([Math.SQRT1_2], [])], `${x}/scaled`)], `${x}/erf`);
  const onePlus = g.op('Add', [e, g.floats([1], [])], `${x}/erf1`);
  return g.op('Mul', [g.op('Mul', [x, onePlus], `${x}/xerf`), g.floats([0.5], [])], `${x}/gelu`);
}

/** torch.nn.GroupNorm on NCHW: per-group statistics, per-channel affine. */
export function groupNorm(g: OnnxGraphBuilder, x: string, channels: number, groups: number, eps: number, name: string): string {
  const grouped = g.op('Reshape', [x, g.int64s([0, groups, -1])], `${name}/grouped`);
  const normed = g.op('InstanceNormalization', [grouped, g.floats(new Float32Array(groups).fill(1)), g.floats(new Float32Array(groups))], `${name}/inorm`, [float('epsilon', eps)]);
  const back = g.op('Reshape', [normed, g.op('Shape', [x], `${name}/shape`)], `${name}/ungrouped`);
  const gamma = g.param(`${name}.weight`, [channels, 1, 1], (r) => 1 + (2 * r - 1) * 0.1);
  return g.op('Add', [g.op('Mul', [back, gamma], `${name}/scaled`), bias(g, `${name}.bias`, channels, [1, 1])], name);
}

export function layerNorm(g: OnnxGraphBuilder, x: string, channels: number, eps: number, name: string): string {
  const gamma = g.param(`${name}.weight`, [channels], (r) => 1 + (2 * r - 1) * 0.1);
  return g.op('LayerNormalization', [x, gamma, bias(g, `${name}.bias`, channels)], name, [int('axis', -1), float('epsilon', eps)]);
}

/** [B,C,H,W] → [B,H·W,C]. */
export function toTokens(g: OnnxGraphBuilder, x: string, channels: number): string {
  const flat = g.op('Reshape', [x, g.int64s([0, channels, -1])], `${x}/flat`);
  return g.op('Transpose', [flat], `${x}/tokens`, [ints('perm', [0, 2, 1])]);
}

/** [B,H·W,C] → [B,C,H,W]. */
export function fromTokens(g: OnnxGraphBuilder, t: string, channels: number, height: number, width: number): string {
  const chw = g.op('Transpose', [t], `${t}/chw`, [ints('perm', [0, 2, 1])]);
  return g.op('Reshape', [chw, g.int64s([0, channels, height, width])], `${t}/map`);
}

/**
 * Scaled dot-product attention, softmax(Q·Kᵀ/√d)·V per head, before the output projection.
 * @param q [B,N,C] @param k [B,M,C] @param v [B,M,C] with C = heads·d
 */
export function attention(g: OnnxGraphBuilder, q: string, k: string, v: string, channels: number, heads: number, name: string): string {
  const d = channels / heads;
  const split = (x: string, perm: number[], tag: string) =>
    g.op('Transpose', [g.op('Reshape', [x, g.int64s([0, -1, heads, d])], `${name}/${tag}_heads`)], `${name}/${tag}_t`, [ints('perm', perm)]);
  // Scale Q before the product (N·d multiplies instead of N·M), as diffusers' exporters do.
  const qh = g.op('Mul', [split(q, [0, 2, 1, 3], 'q'), g.floats([1 / Math.sqrt(d)], [])], `${name}/q_scaled`);
  const scores = g.op('MatMul', [qh, split(k, [0, 2, 3, 1], 'k')], `${name}/scores`);
  const probs = g.op('Softmax', [scores], `${name}/probs`, [int('axis', -1)]);
  const ctx = g.op('MatMul', [probs, split(v, [0, 2, 1, 3], 'v')], `${name}/ctx`);
  const merged = g.op('Transpose', [ctx], `${name}/ctx_t`, [ints('perm', [0, 2, 1, 3])]);
  return g.op('Reshape', [merged, g.int64s([0, -1, channels])], `${name}/merged`);
}

/**
 * ResnetBlock2D: GN → SiLU → conv (+ projected time embedding) → GN → SiLU → conv, plus a 1×1 shortcut
 * when the channel count changes. The VAE's blocks have no time embedding.
 */
export function resnet(
  g: OnnxGraphBuilder,
  x: string,
  inC: number,
  outC: number,
  groups: number,
  eps: number,
  name: string,
  temb?: { readonly value: string; readonly dim: number },
): string {
  let h = conv(g, silu(g, groupNorm(g, x, inC, groups, eps, `${name}.norm1`)), inC, outC, 3, `${name}.conv1`);
  if (temb) {
    const t = linear(g, silu(g, temb.value), temb.dim, outC, `${name}.time_emb_proj`);
    h = g.op('Add', [h, g.op('Reshape', [t, g.int64s([0, outC, 1, 1])], `${name}/temb`)], `${name}/h_t`);
  }
  h = conv(g, silu(g, groupNorm(g, h, outC, groups, eps, `${name}.norm2`)), outC, outC, 3, `${name}.conv2`);
  const shortcut = inC === outC ? x : conv(g, x, inC, outC, 1, `${name}.conv_shortcut`);
  return g.op('Add', [shortcut, h], name);
}

/** Nearest-neighbour ×2 upsampling (diffusers' Upsample2D before its conv); Resize scales are always float32. */
export function upsample2x(g: OnnxGraphBuilder, x: string, name: string): string {
  return g.op('Resize', [x, '', g.floats([1, 1, 2, 2], [4], 'float32')], name, [str('mode', 'nearest')]);
}
