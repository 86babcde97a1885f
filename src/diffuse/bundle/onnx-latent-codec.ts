/** LatentCodec on a bundle's VAE encoder and decoder graphs, applying the manifest's scaling factor. */
import type { OnnxModel } from '../../models/onnx-session.js';
import type { LatentCodec, LatentShape } from '../noise-predictor.js';
import type { ModelSpec } from './bundle-manifest.js';
import { feedTensor, outputFloats } from './bundle-tensors.js';

export class OnnxLatentCodec implements LatentCodec {
  constructor(
    private readonly encoder: OnnxModel,
    private readonly encoderSpec: ModelSpec<'image', 'latent'>,
    private readonly decoder: OnnxModel,
    private readonly decoderSpec: ModelSpec<'latent', 'image'>,
    readonly latent: LatentShape,
    readonly imageSize: number,
    /** SD 1.5: 0.18215; latents the engine sees are the VAE's times this. */
    private readonly scalingFactor: number,
  ) {}

  async encode(images: Float32Array, count: number): Promise<Float32Array> {
    const s = this.imageSize;
    const { image } = this.encoderSpec.inputs;
    const out = await this.encoder.run({ [image.name]: feedTensor(image, images, [count, 3, s, s]) });
    const mean = outputFloats(out[this.encoderSpec.outputs.latent.name], this.encoderSpec.outputs.latent, count * this.latentSize(), this.encoder.path);
    return mean.map((v) => v * this.scalingFactor);
  }

  async decode(latents: Float32Array, count: number): Promise<Float32Array> {
    const { channels: c, height: h, width: w } = this.latent;
    const { latent } = this.decoderSpec.inputs;
    const unscaled = latents.map((v) => v / this.scalingFactor);
    const out = await this.decoder.run({ [latent.name]: feedTensor(latent, unscaled, [count, c, h, w]) });
    return outputFloats(out[this.decoderSpec.outputs.image.name], this.decoderSpec.outputs.image, count * 3 * this.imageSize ** 2, this.decoder.path);
  }

  private latentSize(): number {
    return this.latent.channels * this.latent.height * this.latent.width;
  }
}
