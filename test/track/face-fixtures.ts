/**
 * Shared by the face model tests: the stills as rgb24 and yuv420p frames, a still pasted small into a
 * large canvas, and ONNX runners from a ModelStore in a temp directory (conversion takes < 1 s).
 */
import { FaceDetector } from '../../src/track/face-detector.js';
import { FaceEmbedder } from '../../src/track/face-embedder.js';
import sharp, { type Sharp } from 'sharp';
import type { Frame, PixelFormat } from '../../src/frame.js';
import type { Box } from '../../src/track/geometry.js';
import { ModelStore } from '../../src/models/model-store.js';
import type { OnnxModel } from '../../src/models/onnx-session.js';
import { onnxModelRunner, type ModelRunner } from '../../src/track/model-runner.js';
import { media, tempDir } from '../fixtures/media.js';

/** Hand-marked face boxes (brow-to-chin, cheek-to-cheek), read off zoomed, gridded views of each still. */
export const STILLS: ReadonlyArray<{ readonly file: string; readonly face: Box }> = [
  { file: 'grace_hopper_512x512.jpg', face: { x: 175, y: 125, width: 185, height: 180 } },
  { file: 'astronaut.png', face: { x: 180, y: 80, width: 92, height: 98 } },
  { file: 'messi5.jpg', face: { x: 218, y: 92, width: 40, height: 42 } },
];

/** Decoded RGB of an image file (optionally passed through a sharp pipeline first). */
export async function readRgb(file: string, edit?: (img: Sharp) => Sharp): Promise<{ data: Buffer; width: number; height: number }> {
  let img = sharp(media(file)).removeAlpha();
  if (edit) img = sharp(await edit(img).png().toBuffer()).removeAlpha();
  const { data, info } = await img.raw().toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height };
}

export function rgbFrame(rgb: { data: Buffer; width: number; height: number }, format: PixelFormat = 'rgb24', source = 'test'): Frame {
  const data = format === 'rgb24' ? rgb.data : rgbToYuv420p(rgb.data, rgb.width, rgb.height);
  return { source, index: 0, pts: 0, timeBase: { num: 1, den: 25 }, width: rgb.width, height: rgb.height, format, data };
}

export async function stillFrame(file: string, format: PixelFormat = 'rgb24'): Promise<Frame> {
  return rgbFrame(await readRgb(file), format, file);
}

/**
 * BT.601 limited range (what image-sampler inverts), chroma averaged over each 2×2 block.
 * Written out here so the test does not depend on ffmpeg's swscale rounding.
 */
export function rgbToYuv420p(rgb: Buffer, w: number, h: number): Buffer {
  const cw = Math.ceil(w / 2), ch = Math.ceil(h / 2);
  const out = Buffer.alloc(w * h + 2 * cw * ch);
  const u = new Float64Array(cw * ch), v = new Float64Array(cw * ch), n = new Float64Array(cw * ch);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const o = (y * w + x) * 3, r = rgb[o], g = rgb[o + 1], b = rgb[o + 2];
      out[y * w + x] = Math.round(16 + 0.256788 * r + 0.504129 * g + 0.097906 * b);
      const c = (y >> 1) * cw + (x >> 1);
      u[c] += 128 - 0.148223 * r - 0.290993 * g + 0.439216 * b;
      v[c] += 128 + 0.439216 * r - 0.367788 * g - 0.071427 * b;
      n[c]++;
    }
  }
  for (let c = 0; c < cw * ch; c++) {
    out[w * h + c] = Math.round(u[c] / n[c]);
    out[w * h + cw * ch + c] = Math.round(v[c] / n[c]);
  }
  return out;
}

/**
 * A still scaled so its hand-marked face is `faceSize` px wide, pasted at (x, y) onto a mid-grey canvas.
 * @returns the frame and the face box in canvas pixels
 */
export async function pastedFace(file: string, faceSize: number, canvasW: number, canvasH: number, x: number, y: number): Promise<{ frame: Frame; face: Box }> {
  const { face } = STILLS.find((s) => s.file === file)!;
  const meta = await sharp(media(file)).metadata();
  const k = faceSize / face.width;
  const w = Math.round(meta.width! * k), h = Math.round(meta.height! * k);
  const small = await sharp(media(file)).removeAlpha().resize(w, h, { kernel: 'lanczos3' }).png().toBuffer();
  // Composite output carries alpha; flatten it back to 3 channels.
  const canvas = await sharp({ create: { width: canvasW, height: canvasH, channels: 3, background: '#808080' } })
    .composite([{ input: small, left: x, top: y }])
    .png()
    .toBuffer();
  const { data } = await sharp(canvas).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  const kx = w / meta.width!, ky = h / meta.height!;
  return {
    frame: rgbFrame({ data, width: canvasW, height: canvasH }, 'rgb24', `${file}@${faceSize}px`),
    face: { x: x + face.x * kx, y: y + face.y * ky, width: face.width * kx, height: face.height * ky },
  };
}

/** Opens converted models from a fresh cache; `close()` disposes the sessions and removes the cache. */
export async function openModels(...names: string[]): Promise<{ runners: ModelRunner[]; close: () => Promise<void> }> {
  const cache = tempDir('nullcam-face-models-');
  const store = new ModelStore({ cacheDir: cache.dir });
  const models: OnnxModel[] = [];
  for (const name of names) models.push(await store.load(name));
  return {
    runners: models.map(onnxModelRunner),
    close: async () => {
      for (const m of models) await m.dispose();
      cache.remove();
    },
  };
}

/** The models end-to-end checks judge output with: the detector at score 0.5 (faces a person would see) and the identity embedder. */
export async function openReferenceModels(): Promise<{ detector: FaceDetector; embedder: FaceEmbedder; close: () => Promise<void> }> {
  const models = await openModels('blazeface', 'faceres');
  return { detector: new FaceDetector(models.runners[0], { minScore: 0.5 }), embedder: new FaceEmbedder(models.runners[1]), close: models.close };
}
