/**
 * The seams between the diffusion math (schedulers, inversion, samplers: pure, in src/diffuse/) and the model
 * bundles that implement them with ONNX graphs (src/diffuse/bundle/). The math only ever sees these
 * interfaces, so it is unit-tested with small analytic predictors and runs unchanged on any bundle.
 *
 * Tensors are packed row-major Float32Arrays; a batch of latents is NCHW with the shape in `LatentShape`.
 */

/** One latent's shape, [channels, height, width] (SD 1.5: 4×64×64; the FFHQ LDM: 3×64×64). */
export interface LatentShape {
  readonly channels: number;
  readonly height: number;
  readonly width: number;
}

/** What one batch item of a UNet call attends to. */
export interface Conditioning {
  /** Text context, tokens × dim row-major (SD 1.5: the constant 77×768 CLIP embedding of ""). */
  readonly text?: Float32Array;
  /** Identity tokens from the FaceID projection, tokens × dim (IP-Adapter FaceID: 4×768). */
  readonly identity?: Float32Array;
}

/** ε-prediction: the UNet. One call per batch, so a CFG pair, or many tracks, cost one model run. */
export interface NoisePredictor {
  readonly latent: LatentShape;
  /**
   * @param latents `timesteps.length` latents, NCHW
   * @param timesteps one training timestep per item (0..999)
   * @param conditioning one per item (ignored by unconditional models)
   * @returns ε for every item, same layout as `latents`
   */
  predictNoise(latents: Float32Array, timesteps: readonly number[], conditioning: readonly Conditioning[]): Promise<Float32Array>;
}

/** The autoencoder between images and latents (scaling factor applied inside, so latents are unit-variance). */
export interface LatentCodec {
  readonly latent: LatentShape;
  /** Image side in pixels the codec takes (SD 1.5: 512; the FFHQ LDM: 256). */
  readonly imageSize: number;
  /** @param images NCHW RGB in [-1,1], `count` items of imageSize² @returns the latent means, scaled */
  encode(images: Float32Array, count: number): Promise<Float32Array>;
  /** @returns NCHW RGB in [-1,1] (not clamped) */
  decode(latents: Float32Array, count: number): Promise<Float32Array>;
}

/** FaceID projection: an identity embedding to the identity tokens the UNet attends to. */
export interface IdentityProjector {
  /** Embedding length the projection takes (ArcFace: 512). */
  readonly embeddingSize: number;
  /** @returns tokens × dim; project(zeros) is the null identity condition (bias-driven, not zero tokens) */
  project(embedding: Float32Array): Promise<Float32Array>;
}
