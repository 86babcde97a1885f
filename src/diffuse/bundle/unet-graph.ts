/**
 * diffusers' UNet2DConditionModel (SD 1.5 layout) with IP-Adapter decoupled cross-attention, as an ONNX
 * graph with random weights. SD15_UNET is the real architecture (../shared/research/sd15-architecture.md:
 * 859,520,964 parameters without the IP layers), for the benchmark; the test bundle uses the same code
 * with small channels. Graph I/O is the bundle contract of bundle-manifest.ts:
 * sample [B,C,H,W], timestep [B] float32, text [B,T,D], identity [B,K,D] → noise [B,C,H,W].
 */
import { attention, conv, fromTokens, gelu, groupNorm, layerNorm, linear, resnet, silu, toTokens, upsample2x } from './nn-layers.js';
import { int, type OnnxGraphBuilder } from './onnx-graph-builder.js';

export interface UnetGraphConfig {
  readonly latentChannels: number;
  readonly latentSize: number;
  readonly blockOutChannels: readonly number[];
  /** Per down level: CrossAttnDownBlock (true) or DownBlock; the up path mirrors it. */
  readonly crossAttention: readonly boolean[];
  readonly layersPerBlock: number;
  readonly heads: number;
  readonly groups: number;
  /** Context width D of text and identity tokens (SD 1.5: 768). */
  readonly contextDim: number;
  /** 0, with identityTokens 0, builds an unconditional UNet (self-attention only, like UNet2DModel). */
  readonly textTokens: number;
  /** IP-Adapter tokens; 0 builds a UNet without identity input. */
  readonly identityTokens: number;
}

export const SD15_UNET: UnetGraphConfig = Object.freeze({
  latentChannels: 4,
  latentSize: 64,
  blockOutChannels: [320, 640, 1280, 1280],
  crossAttention: [true, true, true, false],
  layersPerBlock: 2,
  heads: 8,
  groups: 32,
  contextDim: 768,
  textTokens: 77,
  identityTokens: 4,
});

/** The graph's input and output names (the manifest repeats them). */
export const UNET_IO = Object.freeze({ sample: 'sample', timestep: 'timestep', text: 'text', identity: 'identity', noise: 'noise' });

const RESNET_EPS = 1e-5;
const TRANSFORMER_GN_EPS = 1e-6;
const LAYERNORM_EPS = 1e-5;

interface Ctx {
  readonly g: OnnxGraphBuilder;
  readonly c: UnetGraphConfig;
  readonly text: string | undefined;
  readonly identity: string | undefined;
}

/** Adds the UNet to `g` (inputs, body, output). */
export function buildUnetGraph(g: OnnxGraphBuilder, c: UnetGraphConfig): void {
  const s = c.latentSize;
  const sample = g.input(UNET_IO.sample, 'float', ['batch', c.latentChannels, s, s]);
  const timestep = g.input(UNET_IO.timestep, 'float', ['batch']);
  const text = c.textTokens > 0 ? g.input(UNET_IO.text, 'float', ['batch', c.textTokens, c.contextDim]) : undefined;
  const identity = c.identityTokens > 0 ? g.input(UNET_IO.identity, 'float', ['batch', c.identityTokens, c.contextDim]) : undefined;
  const ch = c.blockOutChannels;
  const temb = { value: timeEmbedding(g, timestep, ch[0], ch[0] * 4), dim: ch[0] * 4 };
  const ctx: Ctx = { g, c, text, identity };

  // Down path: keep every intermediate for the skip connections (diffusers' down_block_res_samples).
  let x = conv(g, sample, c.latentChannels, ch[0], 3, 'conv_in');
  let xc = ch[0];
  let size = s;
  const skips: Array<{ value: string; channels: number }> = [{ value: x, channels: xc }];
  ch.forEach((out, level) => {
    for (let l = 0; l < c.layersPerBlock; l++) {
      const name = `down_blocks.${level}`;
      x = resnet(g, x, xc, out, c.groups, RESNET_EPS, `${name}.resnets.${l}`, temb);
      xc = out;
      if (c.crossAttention[level]) x = transformer(ctx, x, xc, size, `${name}.attentions.${l}`);
      skips.push({ value: x, channels: xc });
    }
    if (level < ch.length - 1) {
      x = conv(g, x, xc, xc, 3, `down_blocks.${level}.downsamplers.0.conv`, { stride: 2 });
      size /= 2;
      skips.push({ value: x, channels: xc });
    }
  });

  x = resnet(g, x, xc, xc, c.groups, RESNET_EPS, 'mid_block.resnets.0', temb);
  x = transformer(ctx, x, xc, size, 'mid_block.attentions.0');
  x = resnet(g, x, xc, xc, c.groups, RESNET_EPS, 'mid_block.resnets.1', temb);

  const levels = ch.length;
  for (let u = 0; u < levels; u++) {
    const level = levels - 1 - u;
    const out = ch[level];
    for (let l = 0; l <= c.layersPerBlock; l++) {
      const skip = skips.pop();
      if (!skip) throw new Error('UNet skip stack underflow');
      const cat = g.op('Concat', [x, skip.value], `up_blocks.${u}.cat${l}`, [int('axis', 1)]);
      x = resnet(g, cat, xc + skip.channels, out, c.groups, RESNET_EPS, `up_blocks.${u}.resnets.${l}`, temb);
      xc = out;
      if (c.crossAttention[level]) x = transformer(ctx, x, xc, size, `up_blocks.${u}.attentions.${l}`);
    }
    if (u < levels - 1) {
      const up = upsample2x(g, x, `up_blocks.${u}.upsample`);
      x = conv(g, up, xc, xc, 3, `up_blocks.${u}.upsamplers.0.conv`);
      size *= 2;
    }
  }

  x = silu(g, groupNorm(g, x, xc, c.groups, RESNET_EPS, 'conv_norm_out'));
  x = conv(g, x, xc, c.latentChannels, 3, 'conv_out');
  g.output(x, UNET_IO.noise, ['batch', c.latentChannels, s, s]);
}

/** Sinusoidal features (flip_sin_to_cos, freq_shift 0) → Linear → SiLU → Linear. @returns [B, embedDim] */
function timeEmbedding(g: OnnxGraphBuilder, timestep: string, features: number, embedDim: number): string {
  const half = features / 2;
  const freqs = Array.from({ length: half }, (_, i) => Math.exp((-Math.log(10000) * i) / half));
  // In float32 whatever the compute type, as diffusers does: fp16 cannot hold t·freq to the needed precision.
  const t = g.compute === 'float32' ? timestep : g.cast(timestep, 'float32');
  const arg = g.op('Mul', [g.op('Unsqueeze', [t, g.int64s([1])], 'time_proj/t'), g.floats(freqs, [1, half], 'float32')], 'time_proj/arg');
  const sin32 = g.op('Concat', [g.op('Cos', [arg], 'time_proj/cos'), g.op('Sin', [arg], 'time_proj/sin')], 'time_proj', [int('axis', 1)]);
  const sinusoid = g.compute === 'float32' ? sin32 : g.cast(sin32, g.compute);
  const h = silu(g, linear(g, sinusoid, features, embedDim, 'time_embedding.linear_1'));
  return linear(g, h, embedDim, embedDim, 'time_embedding.linear_2');
}

/** Transformer2DModel with one BasicTransformerBlock: self-attn, cross-attn (text + IP identity), GEGLU FF. */
function transformer(ctx: Ctx, x: string, C: number, size: number, name: string): string {
  const { g, c } = ctx;
  const b = `${name}.transformer_blocks.0`;
  const normed = groupNorm(g, x, C, c.groups, TRANSFORMER_GN_EPS, `${name}.norm`);
  let t = toTokens(g, conv(g, normed, C, C, 1, `${name}.proj_in`), C);

  const n1 = layerNorm(g, t, C, LAYERNORM_EPS, `${b}.norm1`);
  const self = attention(g, linear(g, n1, C, C, `${b}.attn1.to_q`, false), linear(g, n1, C, C, `${b}.attn1.to_k`, false), linear(g, n1, C, C, `${b}.attn1.to_v`, false), C, c.heads, `${b}.attn1`);
  t = g.op('Add', [t, linear(g, self, C, C, `${b}.attn1.to_out.0`)], `${b}/res1`);

  if (ctx.text) t = crossAttention(ctx, t, ctx.text, C, b);

  const n3 = layerNorm(g, t, C, LAYERNORM_EPS, `${b}.norm3`);
  const [hidden, gate] = g.opMulti('Split', [linear(g, n3, C, 8 * C, `${b}.ff.net.0.proj`), g.int64s([4 * C, 4 * C])], `${b}.ff/split`, 2, [int('axis', -1)]);
  const geglu = g.op('Mul', [hidden, gelu(g, gate)], `${b}.ff/geglu`);
  t = g.op('Add', [t, linear(g, geglu, 4 * C, C, `${b}.ff.net.2`)], `${b}/res3`);

  const out = conv(g, fromTokens(g, t, C, size, size), C, C, 1, `${name}.proj_out`);
  return g.op('Add', [out, x], name);
}

/** attn2: cross-attention to the text context, plus IP-Adapter's decoupled attention to the identity tokens. */
function crossAttention(ctx: Ctx, t: string, text: string, C: number, b: string): string {
  const { g, c } = ctx;
  const n2 = layerNorm(g, t, C, LAYERNORM_EPS, `${b}.norm2`);
  const q = linear(g, n2, C, C, `${b}.attn2.to_q`, false);
  const D = c.contextDim;
  let cross = attention(g, q, linear(g, text, D, C, `${b}.attn2.to_k`, false), linear(g, text, D, C, `${b}.attn2.to_v`, false), C, c.heads, `${b}.attn2`);
  if (ctx.identity) {
    // IP-Adapter's decoupled attention: same queries, own K/V for the identity tokens, scale 1.0, summed
    // before to_out (diffusers IPAdapterAttnProcessor).
    const ip = attention(g, q, linear(g, ctx.identity, D, C, `${b}.attn2.to_k_ip`, false), linear(g, ctx.identity, D, C, `${b}.attn2.to_v_ip`, false), C, c.heads, `${b}.attn2_ip`);
    cross = g.op('Add', [cross, ip], `${b}.attn2/text_plus_ip`);
  }
  return g.op('Add', [t, linear(g, cross, C, C, `${b}.attn2.to_out.0`)], `${b}/res2`);
}
