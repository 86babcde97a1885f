/**
 * The graph builders reproduce diffusers' architectures exactly: parameter counts of SD 1.5's UNet and VAE
 * (public configs, ../shared/research/sd15-architecture.md) come out to the parameter. Weights are not made
 * (count-only store), so this takes milliseconds.
 */
import { describe, expect, it } from 'vitest';
import { OnnxGraphBuilder } from '../../../src/diffuse/bundle/onnx-graph-builder.js';
import { buildUnetGraph, SD15_UNET } from '../../../src/diffuse/bundle/unet-graph.js';
import { buildVaeDecoderGraph, buildVaeEncoderGraph, SD15_VAE } from '../../../src/diffuse/bundle/vae-graph.js';

function count(build: (g: OnnxGraphBuilder) => void): number {
  const g = new OnnxGraphBuilder('count', 0, { kind: 'count' });
  build(g);
  return g.parameterCount;
}

describe('SD 1.5 architectures', () => {
  it('UNet2DConditionModel: 859,520,964 parameters', () => {
    expect(count((g) => buildUnetGraph(g, { ...SD15_UNET, identityTokens: 0 }))).toBe(859_520_964);
  });

  it('IP-Adapter adds to_k_ip and to_v_ip (768→C) to all 16 cross-attention layers', () => {
    // Σ C over the 16 layers: down 2·(320+640+1280), mid 1280, up 3·(1280+640+320) = 12,480.
    const withIp = count((g) => buildUnetGraph(g, SD15_UNET));
    expect(withIp - 859_520_964).toBe(2 * 768 * 12_480);
  });

  it('AutoencoderKL: 83,653,863 parameters (encoder with quant_conv, decoder with post_quant_conv)', () => {
    expect(count((g) => buildVaeEncoderGraph(g, SD15_VAE)) + count((g) => buildVaeDecoderGraph(g, SD15_VAE))).toBe(83_653_863);
  });
});
