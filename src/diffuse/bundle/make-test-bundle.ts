/**
 * The project's own model bundle for tests and CI: the interfaces of an SD 1.5 + IP-Adapter FaceID bundle
 * (same graph I/O, same layer types: res blocks, cross-attention over text + identity tokens, timestep
 * embedding, a VAE with the real 8× downsampling, the FaceID MLP, an ArcFace-shaped identity encoder) at a
 * tiny size, with deterministic random weights. It runs in milliseconds on CPU.
 *
 * RANDOM WEIGHTS: images it produces mean nothing, and its "identity" embeddings identify nobody. It proves
 * plumbing and math (shapes, batching, determinism, inversion round trips), never anonymization quality.
 */
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { NullcamError } from '../../errors.js';
import { ARCFACE_TEMPLATE } from '../face-alignment.js';
import { MANIFEST_FILE, MANIFEST_FORMAT, MANIFEST_VERSION, type BundleManifest, type TensorSpec } from './bundle-manifest.js';
import { encodeNpyFloat32 } from './npy-file.js';
import { mulberry32, OnnxGraphBuilder } from './onnx-graph-builder.js';
import { buildProjectionGraph, PROJECTION_IO } from './projection-graph.js';
import { buildTinyIdentityEncoderGraph, IDENTITY_ENCODER_IO } from './tiny-identity-encoder-graph.js';
import { buildUnetGraph, UNET_IO, type UnetGraphConfig } from './unet-graph.js';
import { buildVaeDecoderGraph, buildVaeEncoderGraph, VAE_IO, vaeLatentSize, type VaeGraphConfig } from './vae-graph.js';

/** InsightFace's arcface_dst: where ArcFace expects the 5 landmarks in its 112² crop (one copy, in face-alignment.ts). */
export const ARCFACE_TEMPLATE_112 = ARCFACE_TEMPLATE;

export interface TestBundleOptions {
  /** Weights are a pure function of the seed (default 1). */
  readonly seed?: number;
  /** A UNet without text or identity inputs (the secure method's kind of model); no projector or identity encoder. */
  readonly unconditional?: boolean;
  /**
   * 'float16': half-precision weights, math and I/O, like an fp16 export. onnxruntime's CPU provider runs it
   * (casting around ops it has no half kernels for: ~3× slower than float32 here), so CI tests fp16 plumbing.
   */
  readonly dtype?: 'float32' | 'float16';
  /** Replace an existing bundle at the path. */
  readonly overwrite?: boolean;
}

/** Image 64² → latent 4×8×8 (the real 8× VAE factor); SD 1.5's layer types at a few dozen channels. */
export const TEST_VAE: VaeGraphConfig = Object.freeze({ imageSize: 64, latentChannels: 4, blockOutChannels: [16, 32, 32, 32], layersPerBlock: 1, groups: 8 });
export const TEST_UNET: UnetGraphConfig = Object.freeze({
  latentChannels: 4,
  latentSize: vaeLatentSize(TEST_VAE),
  blockOutChannels: [32, 64],
  crossAttention: [true, true],
  layersPerBlock: 1,
  heads: 2,
  groups: 8,
  contextDim: 64,
  textTokens: 77,
  identityTokens: 4,
});
const EMBEDDING_SIZE = 512;
const IDENTITY_INPUT = 112;

/**
 * Writes the test bundle to `dir` (through a temporary sibling directory, renamed when complete).
 * @returns the manifest written
 * @throws NullcamError when `dir` exists and `overwrite` is not set
 */
export function makeTestBundle(dir: string, options: TestBundleOptions = {}): BundleManifest {
  const seed = options.seed ?? 1;
  const dtype = options.dtype ?? 'float32';
  if (existsSync(dir) && !options.overwrite && readdirSync(dir).length > 0) throw new NullcamError(`${dir} exists and is not empty; pass --overwrite to replace it`, 2);
  const tmp = `${dir}.tmp-${randomBytes(4).toString('hex')}`;
  mkdirSync(tmp, { recursive: true });
  try {
    const files: Record<string, string> = {};
    const write = (name: string, bytes: Uint8Array) => {
      writeFileSync(path.join(tmp, name), bytes);
      files[name] = createHash('sha256').update(bytes).digest('hex');
    };
    const graph = (name: string, k: number, build: (g: OnnxGraphBuilder) => void) => {
      const g = new OnnxGraphBuilder(name, seed * 1000 + k, { kind: 'inline' }, { compute: dtype });
      build(g);
      write(`${name}.onnx`, g.finish());
    };
    const unetConfig = options.unconditional ? { ...TEST_UNET, textTokens: 0, identityTokens: 0 } : TEST_UNET;
    graph('unet', 1, (g) => buildUnetGraph(g, unetConfig));
    graph('vae-encoder', 2, (g) => buildVaeEncoderGraph(g, TEST_VAE));
    graph('vae-decoder', 3, (g) => buildVaeDecoderGraph(g, TEST_VAE));
    if (!options.unconditional) {
      graph('projector', 4, (g) => buildProjectionGraph(g, { embeddingSize: EMBEDDING_SIZE, hidden: 128, tokens: TEST_UNET.identityTokens, dim: TEST_UNET.contextDim }));
      graph('identity-encoder', 5, (g) => buildTinyIdentityEncoderGraph(g, IDENTITY_INPUT, EMBEDDING_SIZE));
      // A stand-in for CLIP(""): fixed values of CLIP-like magnitude, from the seed.
      const rng = mulberry32(seed * 1000 + 6);
      const nullText = Float32Array.from({ length: TEST_UNET.textTokens * TEST_UNET.contextDim }, () => 2 * rng() - 1);
      write('null-text.npy', encodeNpyFloat32(nullText, [TEST_UNET.textTokens, TEST_UNET.contextDim]));
    }
    const manifest = testManifest(files, dtype, !options.unconditional);
    writeFileSync(path.join(tmp, MANIFEST_FILE), `${JSON.stringify(manifest, null, 2)}\n`);
    if (existsSync(dir)) rmSync(dir, { recursive: true, force: true });
    renameSync(tmp, dir);
    return manifest;
  } catch (err) {
    rmSync(tmp, { recursive: true, force: true });
    throw err;
  }
}

function testManifest(files: Record<string, string>, dtype: 'float32' | 'float16', conditional: boolean): BundleManifest {
  const L = TEST_UNET.latentSize;
  const S = TEST_VAE.imageSize;
  const C = TEST_UNET.latentChannels;
  const t = (name: string, shape: Array<number | string>, d: 'float32' | 'float16' = dtype): TensorSpec => ({ name, dtype: d, shape });
  const latent = ['batch', C, L, L];
  const image = ['batch', 3, S, S];
  const { textTokens: T, identityTokens: K, contextDim: D } = TEST_UNET;
  return {
    format: MANIFEST_FORMAT,
    version: MANIFEST_VERSION,
    family: 'test',
    description: 'nullcam test bundle: tiny graphs with RANDOM weights. Its images mean nothing; for tests of plumbing and math only.',
    latent: { channels: C, height: L, width: L },
    imageSize: S,
    scalingFactor: 0.18215,
    scheduler: { numTrainTimesteps: 1000, betaStart: 0.00085, betaEnd: 0.012, betaSchedule: 'scaled_linear', stepsOffset: 1, timestepSpacing: 'leading' },
    unet: {
      file: 'unet.onnx',
      inputs: {
        sample: t(UNET_IO.sample, latent),
        timestep: t(UNET_IO.timestep, ['batch']),
        ...(conditional ? { text: t(UNET_IO.text, ['batch', T, D]), identity: t(UNET_IO.identity, ['batch', K, D]) } : {}),
      },
      outputs: { noise: t(UNET_IO.noise, latent) },
    },
    vaeEncoder: { file: 'vae-encoder.onnx', inputs: { image: t(VAE_IO.image, image) }, outputs: { latent: t(VAE_IO.latent, latent) } },
    vaeDecoder: { file: 'vae-decoder.onnx', inputs: { latent: t(VAE_IO.latent, latent) }, outputs: { image: t(VAE_IO.image, image) } },
    ...(conditional
      ? {
          projector: { file: 'projector.onnx', inputs: { embedding: t(PROJECTION_IO.embedding, ['batch', EMBEDDING_SIZE]) }, outputs: { tokens: t(PROJECTION_IO.tokens, ['batch', K, D]) } },
          identityEncoder: {
            file: 'identity-encoder.onnx',
            inputs: { image: t(IDENTITY_ENCODER_IO.image, ['batch', 3, IDENTITY_INPUT, IDENTITY_INPUT]) },
            outputs: { embedding: t(IDENTITY_ENCODER_IO.embedding, ['batch', EMBEDDING_SIZE]) },
            template: ARCFACE_TEMPLATE_112,
            channelOrder: 'bgr' as const,
            inputRange: [-1, 1] as const,
          },
          nullText: { file: 'null-text.npy', dtype: 'float32' as const, shape: [T, D] },
        }
      : {}),
    files,
  };
}
