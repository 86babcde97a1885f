/**
 * IP-Adapter FaceID's MLPProjModel as an ONNX graph with random weights: embedding [B,E] → Linear E→H →
 * GELU → Linear H→K·D → reshape [B,K,D] → LayerNorm. SD 1.5 FaceID: E 512, H 1024, K 4, D 768.
 */
import { gelu, layerNorm, linear } from './nn-layers.js';
import type { OnnxGraphBuilder } from './onnx-graph-builder.js';

export interface ProjectionGraphConfig {
  readonly embeddingSize: number;
  readonly hidden: number;
  readonly tokens: number;
  readonly dim: number;
}

export const PROJECTION_IO = Object.freeze({ embedding: 'embedding', tokens: 'tokens' });

export function buildProjectionGraph(g: OnnxGraphBuilder, c: ProjectionGraphConfig): void {
  const e = g.input(PROJECTION_IO.embedding, 'float', ['batch', c.embeddingSize]);
  const h = gelu(g, linear(g, e, c.embeddingSize, c.hidden, 'proj.0'));
  const flat = linear(g, h, c.hidden, c.tokens * c.dim, 'proj.2');
  const tokens = g.op('Reshape', [flat, g.int64s([-1, c.tokens, c.dim])], 'tokens_raw');
  g.output(layerNorm(g, tokens, c.dim, 1e-5, 'norm'), PROJECTION_IO.tokens, ['batch', c.tokens, c.dim]);
}
