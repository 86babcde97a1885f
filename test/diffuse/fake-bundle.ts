/**
 * A ModelBundle made of small closed-form JavaScript parts, for testing the engine's plumbing (alignment,
 * batching, caching, blending, fail-closed paths) without ONNX. Its "images" mean nothing: the codec is a
 * block average, the UNet the analytic Gaussian-data predictor, the identity encoder a few pixel statistics.
 */
import type { IdentityEncoder, ModelBundle } from '../../src/diffuse/model-bundle.js';
import type { IdentityProjector, LatentCodec, NoisePredictor } from '../../src/diffuse/noise-predictor.js';
import { ARCFACE_TEMPLATE } from '../../src/diffuse/face-alignment.js';
import { GaussianDataPredictor, SD15_SCHEDULER } from './analytic-predictor.js';

export const FAKE_IMAGE = 32;
const F = 8;
const LATENT = { channels: 4, height: FAKE_IMAGE / F, width: FAKE_IMAGE / F };

/** Block means per channel (plus their average as a 4th channel); decode repeats them back. */
const codec: LatentCodec = {
  latent: LATENT,
  imageSize: FAKE_IMAGE,
  async encode(images, count) {
    const n = FAKE_IMAGE * FAKE_IMAGE, ls = 4 * LATENT.height * LATENT.width, hw = LATENT.height * LATENT.width;
    const out = new Float32Array(count * ls);
    for (let b = 0; b < count; b++) {
      for (let c = 0; c < 3; c++) {
        for (let y = 0; y < FAKE_IMAGE; y++) {
          for (let x = 0; x < FAKE_IMAGE; x++) {
            const v = images[b * 3 * n + c * n + y * FAKE_IMAGE + x] / (F * F);
            const l = Math.floor(y / F) * LATENT.width + Math.floor(x / F);
            out[b * ls + c * hw + l] += v;
            out[b * ls + 3 * hw + l] += v / 3;
          }
        }
      }
    }
    return out;
  },
  async decode(latents, count) {
    const n = FAKE_IMAGE * FAKE_IMAGE, ls = 4 * LATENT.height * LATENT.width, hw = LATENT.height * LATENT.width;
    const out = new Float32Array(count * 3 * n);
    for (let b = 0; b < count; b++)
      for (let c = 0; c < 3; c++)
        for (let i = 0; i < n; i++) out[b * 3 * n + c * n + i] = latents[b * ls + c * hw + Math.floor(Math.floor(i / FAKE_IMAGE) / F) * LATENT.width + Math.floor((i % FAKE_IMAGE) / F)];
    return out;
  },
};

/** Tokens whose first value is 0.1 + Σe (bias-driven for e = 0), what the analytic UNet reads as its mean. */
const projector: IdentityProjector = {
  embeddingSize: 8,
  async project(e) {
    const t = new Float32Array(2 * 4);
    t.fill(0.1 + e.reduce((a, b) => a + b, 0));
    return t;
  },
};

const identityEncoder: IdentityEncoder = {
  inputSize: 16,
  template: ARCFACE_TEMPLATE.map(([x, y]) => [(x * 16) / 112, (y * 16) / 112] as const),
  embeddingSize: 8,
  async embed(crops, count) {
    const n = 3 * 16 * 16;
    const out = new Float32Array(count * 8);
    for (let b = 0; b < count; b++) for (let i = 0; i < n; i++) out[b * 8 + (i % 8)] += crops[b * n + i] / n + 0.01;
    return out;
  },
};

export interface FakeBundleOptions {
  /** Without the identity parts: an unconditional bundle like the secure method's FFHQ LDM. */
  readonly unconditional?: boolean;
  /** Replaces the predictor (e.g. one that throws). */
  readonly predictor?: NoisePredictor;
}

export function fakeBundle(options: FakeBundleOptions = {}): ModelBundle & { closed: boolean } {
  const bundle = {
    dir: '/fake',
    family: 'test-js',
    scheduler: SD15_SCHEDULER,
    predictor: options.predictor ?? new GaussianDataPredictor(LATENT),
    codec,
    ...(options.unconditional ? {} : { projector, identityEncoder, nullText: new Float32Array(3 * 4) }),
    executionProvider: 'cpu',
    closed: false,
    async close() {
      bundle.closed = true;
    },
  };
  return bundle;
}
