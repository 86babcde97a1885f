/** NoisePredictor on a bundle's UNet graph: one onnxruntime run per call, whatever the batch. */
import { NullcamError } from '../../errors.js';
import type { OnnxModel } from '../../models/onnx-session.js';
import type { Conditioning, LatentShape, NoisePredictor } from '../noise-predictor.js';
import type { UnetSpec } from './bundle-manifest.js';
import { feedTensor, itemSize, outputFloats } from './bundle-tensors.js';

export class OnnxNoisePredictor implements NoisePredictor {
  /**
   * @param nullText the empty-prompt context, fed where a conditioning has no `text`
   * @param nullIdentity the null identity tokens (the projection of zeros), fed where a conditioning has no `identity`
   */
  constructor(
    private readonly model: OnnxModel,
    private readonly spec: UnetSpec,
    readonly latent: LatentShape,
    private readonly nullText: Float32Array | undefined,
    private readonly nullIdentity: () => Promise<Float32Array>,
  ) {}

  async predictNoise(latents: Float32Array, timesteps: readonly number[], conditioning: readonly Conditioning[]): Promise<Float32Array> {
    const n = timesteps.length;
    const { channels: c, height: h, width: w } = this.latent;
    const where = this.model.path;
    if (latents.length !== n * c * h * w) throw new NullcamError(`${where}: ${latents.length} latent values for ${n} timesteps, expected ${n}×${c}×${h}×${w}`);
    const { sample, timestep, text, identity } = this.spec.inputs;
    const feeds = { [sample.name]: feedTensor(sample, latents, [n, c, h, w]), [timestep.name]: feedTensor(timestep, timesteps, [n]) };
    if (text) feeds[text.name] = feedTensor(text, await this.stack(text.name, conditioning, n, itemSize(text), (k) => k.text ?? this.nullText), [n, ...(text.shape.slice(1) as number[])]);
    if (identity) {
      const nullIdentity = conditioning.some((k) => !k.identity) ? await this.nullIdentity() : undefined;
      feeds[identity.name] = feedTensor(identity, await this.stack(identity.name, conditioning, n, itemSize(identity), (k) => k.identity ?? nullIdentity), [n, ...(identity.shape.slice(1) as number[])]);
    }
    const out = await this.model.run(feeds);
    return outputFloats(out[this.spec.outputs.noise.name], this.spec.outputs.noise, n * c * h * w, where);
  }

  /** One context per batch item, packed; checks each item's length. */
  private async stack(input: string, conditioning: readonly Conditioning[], n: number, size: number, pick: (k: Conditioning) => Float32Array | undefined): Promise<Float32Array> {
    if (conditioning.length !== n) throw new NullcamError(`${this.model.path}: ${conditioning.length} conditionings for ${n} latents`);
    const out = new Float32Array(n * size);
    conditioning.forEach((k, i) => {
      const v = pick(k);
      if (!v || v.length !== size) throw new NullcamError(`${this.model.path}: conditioning ${i} gives input "${input}" ${v ? v.length : 0} values, expected ${size}`);
      out.set(v, i * size);
    });
    return out;
  }
}
