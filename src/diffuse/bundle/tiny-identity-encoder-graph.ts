/**
 * A tiny stand-in for ArcFace in the test bundle, with ArcFace's interface: an aligned 112² crop
 * [B,3,112,112] → embedding [B,E] (not normalized). Three stride-2 convs, global average pool, a linear
 * layer. Random weights: its embeddings identify nobody.
 */
import { conv, linear } from './nn-layers.js';
import type { OnnxGraphBuilder } from './onnx-graph-builder.js';

export const IDENTITY_ENCODER_IO = Object.freeze({ image: 'image', embedding: 'embedding' });

export function buildTinyIdentityEncoderGraph(g: OnnxGraphBuilder, inputSize: number, embeddingSize: number): void {
  let x = g.input(IDENTITY_ENCODER_IO.image, 'float', ['batch', 3, inputSize, inputSize]);
  let c = 3;
  for (const [i, out] of [8, 16, 32].entries()) {
    x = g.op('Relu', [conv(g, x, c, out, 3, `stage${i}`, { stride: 2 })], `stage${i}/relu`);
    c = out;
  }
  const pooled = g.op('Flatten', [g.op('GlobalAveragePool', [x], 'pool')], 'pooled');
  g.output(linear(g, pooled, c, embeddingSize, 'fc'), IDENTITY_ENCODER_IO.embedding, ['batch', embeddingSize]);
}
