/**
 * diffusers' AutoencoderKL (kl-f8) as two ONNX graphs with random weights: the encoder returns the
 * latent distribution's mean (unscaled: the bundle's scaling factor is applied by the loader), the decoder
 * takes an unscaled latent. SD15_VAE is the real architecture (83,653,863 parameters); the test bundle
 * uses the same code with small channels. Spatial factor 2^(levels−1): 8 for four levels, as in SD.
 */
import { attention, conv, fromTokens, groupNorm, linear, resnet, silu, toTokens, upsample2x } from './nn-layers.js';
import type { OnnxGraphBuilder } from './onnx-graph-builder.js';

export interface VaeGraphConfig {
  readonly imageSize: number;
  readonly latentChannels: number;
  readonly blockOutChannels: readonly number[];
  readonly layersPerBlock: number;
  readonly groups: number;
}

export const SD15_VAE: VaeGraphConfig = Object.freeze({ imageSize: 512, latentChannels: 4, blockOutChannels: [128, 256, 512, 512], layersPerBlock: 2, groups: 32 });

export const VAE_IO = Object.freeze({ image: 'image', latent: 'latent' });

const EPS = 1e-6;

export function vaeLatentSize(c: VaeGraphConfig): number {
  return c.imageSize / 2 ** (c.blockOutChannels.length - 1);
}

/** image [B,3,S,S] in [-1,1] → latent mean [B,C,S/8,S/8]. */
export function buildVaeEncoderGraph(g: OnnxGraphBuilder, c: VaeGraphConfig): void {
  const ch = c.blockOutChannels;
  const image = g.input(VAE_IO.image, 'float', ['batch', 3, c.imageSize, c.imageSize]);
  let x = conv(g, image, 3, ch[0], 3, 'encoder.conv_in');
  let xc = ch[0];
  let size = c.imageSize;
  ch.forEach((out, level) => {
    for (let l = 0; l < c.layersPerBlock; l++) {
      x = resnet(g, x, xc, out, c.groups, EPS, `encoder.down_blocks.${level}.resnets.${l}`);
      xc = out;
    }
    if (level < ch.length - 1) {
      // diffusers' Downsample2D with padding 0 pads right and bottom by one, then a stride-2 conv.
      const padded = g.op('Pad', [x, g.int64s([0, 0, 0, 0, 0, 0, 1, 1])], `encoder.down_blocks.${level}.pad`);
      x = conv(g, padded, xc, xc, 3, `encoder.down_blocks.${level}.downsamplers.0.conv`, { stride: 2, pads: [0, 0, 0, 0] });
      size /= 2;
    }
  });
  x = midBlock(g, x, xc, size, c.groups, 'encoder.mid_block');
  x = conv(g, silu(g, groupNorm(g, x, xc, c.groups, EPS, 'encoder.conv_norm_out')), xc, 2 * c.latentChannels, 3, 'encoder.conv_out');
  x = conv(g, x, 2 * c.latentChannels, 2 * c.latentChannels, 1, 'quant_conv');
  // Channels [0, C) are the mean, [C, 2C) the log-variance: keep the mean.
  const mean = g.op('Slice', [x, g.int64s([0]), g.int64s([c.latentChannels]), g.int64s([1])], 'latent_mean');
  g.output(mean, VAE_IO.latent, ['batch', c.latentChannels, size, size]);
}

/** latent [B,C,s,s] (unscaled) → image [B,3,8s,8s], roughly in [-1,1] (not clamped). */
export function buildVaeDecoderGraph(g: OnnxGraphBuilder, c: VaeGraphConfig): void {
  const rev = [...c.blockOutChannels].reverse();
  let size = vaeLatentSize(c);
  const latent = g.input(VAE_IO.latent, 'float', ['batch', c.latentChannels, size, size]);
  let x = conv(g, latent, c.latentChannels, c.latentChannels, 1, 'post_quant_conv');
  x = conv(g, x, c.latentChannels, rev[0], 3, 'decoder.conv_in');
  let xc = rev[0];
  x = midBlock(g, x, xc, size, c.groups, 'decoder.mid_block');
  rev.forEach((out, u) => {
    for (let l = 0; l <= c.layersPerBlock; l++) {
      x = resnet(g, x, xc, out, c.groups, EPS, `decoder.up_blocks.${u}.resnets.${l}`);
      xc = out;
    }
    if (u < rev.length - 1) {
      const up = upsample2x(g, x, `decoder.up_blocks.${u}.upsample`);
      x = conv(g, up, xc, xc, 3, `decoder.up_blocks.${u}.upsamplers.0.conv`);
      size *= 2;
    }
  });
  x = conv(g, silu(g, groupNorm(g, x, xc, c.groups, EPS, 'decoder.conv_norm_out')), xc, 3, 3, 'decoder.conv_out');
  g.output(x, VAE_IO.image, ['batch', 3, size, size]);
}

/** UNetMidBlock2D of the VAE: resnet, single-head self-attention with residual, resnet. */
function midBlock(g: OnnxGraphBuilder, x: string, C: number, size: number, groups: number, name: string): string {
  x = resnet(g, x, C, C, groups, EPS, `${name}.resnets.0`);
  const a = `${name}.attentions.0`;
  const t = toTokens(g, groupNorm(g, x, C, groups, EPS, `${a}.group_norm`), C);
  const ctx = attention(g, linear(g, t, C, C, `${a}.to_q`), linear(g, t, C, C, `${a}.to_k`), linear(g, t, C, C, `${a}.to_v`), C, 1, a);
  x = g.op('Add', [fromTokens(g, linear(g, ctx, C, C, `${a}.to_out.0`), C, size, size), x], a);
  return resnet(g, x, C, C, groups, EPS, `${name}.resnets.1`);
}
