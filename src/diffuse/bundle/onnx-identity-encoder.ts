/**
 * IdentityEncoder on a bundle's face recognizer graph (ArcFace-compatible). Takes NCHW RGB crops in [-1,1]
 * and converts them to what the graph wants: channel order and pixel range from the manifest
 * (InsightFace's w600k_r50: BGR, (x−127.5)/127.5, i.e. [-1,1]).
 */
import { NullcamError } from '../../errors.js';
import type { OnnxModel } from '../../models/onnx-session.js';
import type { IdentityEncoder } from '../model-bundle.js';
import type { IdentityEncoderSpec } from './bundle-manifest.js';
import { feedTensor, itemSize, outputFloats } from './bundle-tensors.js';

export class OnnxIdentityEncoder implements IdentityEncoder {
  readonly inputSize: number;
  readonly embeddingSize: number;
  readonly template: readonly (readonly [number, number])[];

  constructor(
    private readonly model: OnnxModel,
    private readonly spec: IdentityEncoderSpec,
  ) {
    this.inputSize = spec.inputs.image.shape[2] as number;
    this.embeddingSize = itemSize(spec.outputs.embedding);
    this.template = spec.template;
  }

  async embed(crops: Float32Array, count: number): Promise<Float32Array> {
    const s = this.inputSize;
    const plane = s * s;
    if (crops.length !== count * 3 * plane) throw new NullcamError(`${this.model.path}: ${crops.length} crop values for ${count} crops of 3×${s}×${s}`);
    const [lo, hi] = this.spec.inputRange;
    const bgr = this.spec.channelOrder === 'bgr';
    const x = new Float32Array(crops.length);
    for (let n = 0; n < count; n++) {
      for (let c = 0; c < 3; c++) {
        const src = (n * 3 + (bgr ? 2 - c : c)) * plane;
        const dst = (n * 3 + c) * plane;
        for (let i = 0; i < plane; i++) x[dst + i] = lo + ((crops[src + i] + 1) / 2) * (hi - lo);
      }
    }
    const { image } = this.spec.inputs;
    const out = await this.model.run({ [image.name]: feedTensor(image, x, [count, 3, s, s]) });
    return outputFloats(out[this.spec.outputs.embedding.name], this.spec.outputs.embedding, count * this.embeddingSize, this.model.path);
  }
}
