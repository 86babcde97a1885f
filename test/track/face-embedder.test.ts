import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Frame } from '../../src/frame.js';
import { FACE_DETECTOR_MODEL, FaceDetector } from '../../src/track/face-detector.js';
import {
  EMBEDDING_SIZE,
  FACE_EMBEDDER_MODEL,
  FaceEmbedder,
  SAME_PERSON_THRESHOLD,
  cosineSimilarity,
} from '../../src/track/face-embedder.js';
import { iou, type Box } from '../../src/track/geometry.js';
import type { Detection } from '../../src/track/face.js';
import type { ModelRunner } from '../../src/track/model-runner.js';
import { openModels, readRgb, rgbFrame, STILLS } from './face-fixtures.js';

let detector: FaceDetector;
let embedder: FaceEmbedder;
let resRunner: ModelRunner;
let close: () => Promise<void>;

beforeAll(async () => {
  const opened = await openModels(FACE_DETECTOR_MODEL, FACE_EMBEDDER_MODEL);
  detector = new FaceDetector(opened.runners[0]);
  resRunner = opened.runners[1];
  embedder = new FaceEmbedder(resRunner);
  close = opened.close;
});
afterAll(() => close());

async function faceIn(frame: Frame, near: Box): Promise<Detection> {
  const d = (await detector.detect(frame)).find((x) => iou(x.box, near) >= 0.3);
  if (!d) throw new Error(`no face near ${JSON.stringify(near)} in ${frame.source}`);
  return d;
}

/** Embedding of a still's face, the still optionally edited first; `boxFrom` maps the hand box into the edited image. */
async function embedStill(file: string, edit?: Parameters<typeof readRgb>[1], boxFrom = (b: Box, _w: number) => b): Promise<Float32Array> {
  const { face } = STILLS.find((s) => s.file === file)!;
  const original = await readRgb(file);
  const frame = rgbFrame(await readRgb(file, edit), 'rgb24', file);
  return embedder.embed(frame, await faceIn(frame, boxFrom(face, original.width)));
}

const PHOTOS = ['grace_hopper_512x512.jpg', 'astronaut.png'];
const half = (b: Box): Box => ({ x: b.x / 2, y: b.y / 2, width: b.width / 2, height: b.height / 2 });
const mirrored = (b: Box, w: number): Box => ({ ...b, x: w - b.x - b.width });

describe('FaceEmbedder', () => {
  it('returns a unit-length 1024-d vector', async () => {
    const v = await embedStill('astronaut.png');
    expect(v).toHaveLength(EMBEDDING_SIZE);
    expect(Math.hypot(...v)).toBeCloseTo(1, 5);
  });

  it.each(PHOTOS)('matches %s to itself resized to half and mirrored', async (file) => {
    const ref = await embedStill(file);
    const small = await embedStill(file, (img) => img.resize({ width: 256 }), half);
    const flipped = await embedStill(file, (img) => img.flop(), mirrored);
    expect(cosineSimilarity(ref, small)).toBeGreaterThanOrEqual(SAME_PERSON_THRESHOLD);
    expect(cosineSimilarity(ref, flipped)).toBeGreaterThanOrEqual(SAME_PERSON_THRESHOLD);
  });

  it('keeps different people below the threshold', async () => {
    const vs = await Promise.all(STILLS.map((s) => embedStill(s.file)));
    for (let a = 0; a < vs.length; a++) {
      for (let b = a + 1; b < vs.length; b++) expect(cosineSimilarity(vs[a], vs[b]), `${STILLS[a].file} ~ ${STILLS[b].file}`).toBeLessThan(SAME_PERSON_THRESHOLD);
    }
  });

  it.each(PHOTOS)('no longer matches %s once blurred with σ=12 (same face box)', async (file) => {
    const { face } = STILLS.find((s) => s.file === file)!;
    const frame = rgbFrame(await readRgb(file), 'rgb24', file);
    const det = await faceIn(frame, face);
    const blurred = rgbFrame(await readRgb(file, (img) => img.blur(12)), 'rgb24', file);
    expect(cosineSimilarity(await embedder.embed(frame, det), await embedder.embed(blurred, det))).toBeLessThan(SAME_PERSON_THRESHOLD);
  });

  it('rejects a non-positive crop scale', () => {
    expect(() => new FaceEmbedder(resRunner, { cropScale: -1 })).toThrow(/cropScale/);
  });
});

describe('cosineSimilarity', () => {
  it('is 1 for parallel, 0 for orthogonal or zero vectors, -1 for opposite', () => {
    const a = Float32Array.of(1, 2, 3);
    expect(cosineSimilarity(a, Float32Array.of(2, 4, 6))).toBeCloseTo(1, 6);
    expect(cosineSimilarity(Float32Array.of(1, 0), Float32Array.of(0, 1))).toBe(0);
    expect(cosineSimilarity(a, new Float32Array(3))).toBe(0);
    expect(cosineSimilarity(a, Float32Array.of(-1, -2, -3))).toBeCloseTo(-1, 6);
  });

  it('throws on different lengths, naming both', () => {
    expect(() => cosineSimilarity(new Float32Array(3), new Float32Array(4))).toThrow(/3 and 4/);
  });
});
