/** IdentityProjector on a bundle's FaceID projection graph (embedding → identity tokens). */
import type { OnnxModel } from '../../models/onnx-session.js';
import { NullcamError } from '../../errors.js';
import type { IdentityProjector } from '../noise-predictor.js';
import type { ModelSpec } from './bundle-manifest.js';
import { feedTensor, itemSize, outputFloats } from './bundle-tensors.js';

export class OnnxIdentityProjector implements IdentityProjector {
  readonly embeddingSize: number;

  constructor(
    private readonly model: OnnxModel,
    private readonly spec: ModelSpec<'embedding', 'tokens'>,
  ) {
    this.embeddingSize = itemSize(spec.inputs.embedding);
  }

  async project(embedding: Float32Array): Promise<Float32Array> {
    if (embedding.length !== this.embeddingSize) throw new NullcamError(`${this.model.path}: an identity embedding of ${embedding.length} values, expected ${this.embeddingSize}`);
    const { embedding: input } = this.spec.inputs;
    const out = await this.model.run({ [input.name]: feedTensor(input, embedding, [1, this.embeddingSize]) });
    return outputFloats(out[this.spec.outputs.tokens.name], this.spec.outputs.tokens, itemSize(this.spec.outputs.tokens), this.model.path);
  }
}
