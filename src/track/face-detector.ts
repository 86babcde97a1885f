/**
 * Finds faces in a frame with a BlazeFace-family model run over a tile pyramid (see face-tiles.ts). Model
 * inputs are sampled straight from the frame (rgb24 or yuv420p) by an affine map, so there is no
 * full-frame conversion or resize. Tiles' candidates are merged by weighted NMS in frame pixels.
 */
import type { Frame } from '../frame.js';
import type { Detection } from './face.js';
import { iou, type Box, type Point } from './geometry.js';
import { boxAffine, sampleRgb } from './image-sampler.js';
import { InputBuffers } from '../models/input-buffers.js';
import { runImage, type ModelRunner } from './model-runner.js';
import { BLAZEFACE_256, type BlazeFaceSpec } from './blazeface-anchors.js';
import { BlazeFaceDecoder } from './blazeface-decoder.js';
import { weightedNms, type ScoredBox } from './nms.js';
import { tilePlan, type TileLevel } from './face-tiles.js';
import { invalidParameterError } from '../errors.js';
import { TileCache } from './tile-cache.js';

/**
 * The detector model the defaults are for, by ModelStore name: MediaPipe's back-camera BlazeFace (256²).
 * `@vladmandic/human` ships it as `blazeface` (byte-identical to human-models' `blazeface-back`). Chosen
 * by measured recall and cost (docs/detector-eval.md): it finds faces from 14 to 192 input px, so 24 px
 * faces in 1080p take 25 model calls at 100% recall, where the 128² models need 228 calls.
 */
export const FACE_DETECTOR_MODEL = 'blazeface';

/** Side, in model input px, a hinted face is given in its own tile: the geometric middle of 14–192 is 52. */
const HINT_FACE_PX = 48;
/** IoU with its hint a candidate from a hint tile needs to count (the tracker matches from 0.15). */
const HINT_MIN_IOU = 0.2;
/** Sources whose scan state is kept (cameras of one proxy; one at a time for files). */
const MAX_STREAMS = 16;

interface DetectorStream {
  calls: number;
  readonly cache: TileCache<ScoredBox[]>;
}

export interface FaceDetectorOptions {
  /** Anchor layout of the model behind the runner. Default: BLAZEFACE_256 (blazeface / blazeface-back). */
  readonly spec: BlazeFaceSpec;
  /**
   * Face sides in model-input px the model finds reliably, [smallest, largest]; sets the pyramid's step
   * and finest tile. Default [14, 192]: blazeface-back's worst still scores ≥ 0.66 from 14 to 192 px, and
   * a 14 px floor gave 100% recall on 24–32 px faces where 12 gave 96% and 10 gave 92%.
   */
  readonly faceRange: readonly [number, number];
  /**
   * Lowest score kept, in (0,1). Default 0.3: a missed face is worse than an extra blur. On the evaluation
   * set 0.4 kept 100% recall with half the false positives (3.0 vs 5.7 per frame); 0.5 lost 2%.
   */
  readonly minScore: number;
  /** IoU at which overlapping candidates merge, in (0,1]. Default 0.3. */
  readonly iouThreshold: number;
  /** Smallest face side, frame px, the pyramid is built to find; the main cost knob. Default 24. */
  readonly minFaceSize: number;
  /** Caps pyramid depth (1 = whole frame only). Default unlimited. */
  readonly maxLevels?: number;
  /**
   * Spread the tiles of every level but the whole-frame one over this many detect() calls, round-robin,
   * so one call costs about 1/scanPeriod of a full scan: faces big enough for the whole-frame level are
   * found on every call, smaller ones within scanPeriod calls. Makes detect() stateful. Default 1.
   */
  readonly scanPeriod: number;
}

export const DEFAULT_FACE_DETECTOR_OPTIONS: Readonly<FaceDetectorOptions> = Object.freeze({
  spec: BLAZEFACE_256,
  faceRange: Object.freeze([14, 192] as const),
  minScore: 0.3,
  iouThreshold: 0.3,
  minFaceSize: 24,
  scanPeriod: 1,
});

export class FaceDetector {
  readonly options: Readonly<FaceDetectorOptions>;
  private readonly decoder: BlazeFaceDecoder;
  private readonly inputs: InputBuffers;
  private readonly plans = new Map<string, TileLevel[]>();
  /** Scan phase and tile cache per source (camera, file): sources sharing a detector must not share them. */
  private readonly streams = new Map<string, DetectorStream>();

  /**
   * @param runner executes the detector model (TFJS contract: NHWC float input in [-1,1])
   * @param options overrides of DEFAULT_FACE_DETECTOR_OPTIONS
   * @throws NullcamError on out-of-range options
   * @example
   *   const det = new FaceDetector(onnxModelRunner(await store.load(FACE_DETECTOR_MODEL)));
   *   await det.detect(frame) // [{ box: {x: 173, y: 75, width: 103, height: 103}, score: 0.88, keypoints: [...6] }]
   */
  constructor(private readonly runner: ModelRunner, options: Partial<FaceDetectorOptions> = {}) {
    const o = { ...DEFAULT_FACE_DETECTOR_OPTIONS, ...options };
    if (!(o.minScore > 0 && o.minScore < 1)) throw invalidParameterError('minScore', 'a number in (0,1)', o.minScore);
    if (!(o.iouThreshold > 0 && o.iouThreshold <= 1)) throw invalidParameterError('iouThreshold', 'a number in (0,1]', o.iouThreshold);
    if (!(o.minFaceSize >= 1)) throw invalidParameterError('minFaceSize', 'a number >= 1', o.minFaceSize);
    if (!(o.faceRange[0] > 0 && o.faceRange[1] > o.faceRange[0])) throw invalidParameterError('faceRange', 'an increasing pair of positive numbers', o.faceRange);
    if (!(Number.isInteger(o.scanPeriod) && o.scanPeriod >= 1)) throw invalidParameterError('scanPeriod', 'an integer >= 1', o.scanPeriod);
    this.options = Object.freeze(o);
    this.decoder = new BlazeFaceDecoder(o.spec);
    this.inputs = new InputBuffers(o.spec.inputSize * o.spec.inputSize * 3, runner.sharedInputs);
  }

  /** The tile pyramid a full scan of a frame of this size covers (cached per size). */
  levels(width: number, height: number): readonly TileLevel[] {
    const key = `${width}x${height}`;
    let plan = this.plans.get(key);
    if (!plan) {
      const o = this.options;
      plan = tilePlan(width, height, { inputSize: o.spec.inputSize, faceRange: o.faceRange, minFaceSize: o.minFaceSize, maxLevels: o.maxLevels });
      this.plans.set(key, plan);
    }
    return plan;
  }

  /** Model calls of a full scan of a frame of this size (scanPeriod calls together make one). */
  modelCalls(width: number, height: number): number {
    return this.levels(width, height).reduce((n, l) => n + l.tiles.length, 0);
  }

  /**
   * @param frame rgb24 or yuv420p
   * @param hints boxes where faces are expected (tracks' predicted positions). Each one too small for the
   *   whole-frame level gets a tile of its own centred on it, so a small face already found is looked for
   *   on every call, not once per scanPeriod calls: it is confirmed or dropped quickly.
   * @returns faces in frame pixels, best score first; boxes are not clipped to the frame
   */
  async detect(frame: Frame, hints: readonly Box[] = []): Promise<Detection[]> {
    const period = this.options.scanPeriod;
    const stream = this.stream(frame.source);
    const phase = stream.calls++ % period;
    const levels = this.levels(frame.width, frame.height);
    const scan = levels.map((l, k) => (k === 0 || period === 1 ? l : { ...l, tiles: l.tiles.filter((_, i) => i % period === phase) }));
    const candidates = await this.scanLevels(frame, scan, stream.cache);
    // A hint tile only confirms its own face: anything else it finds would be a new track seen at a
    // zoom the scan does not use, and hints from those would snowball.
    for (const { tile, hint } of this.hintTiles(levels[0], frame, hints.filter((h) => !scanSees(scan, h, this.options)))) {
      for (const c of await this.detectTile(frame, tile, stream.cache)) if (iou(c.box, hint) >= HINT_MIN_IOU) candidates.push(c);
    }
    return this.merge(candidates);
  }

  private stream(source: string): DetectorStream {
    let stream = this.streams.get(source);
    if (stream) this.streams.delete(source);
    else stream = { calls: 0, cache: new TileCache<ScoredBox[]>() };
    // Most recently used last; a watch run sees one source per segment, so old ones are dropped.
    this.streams.set(source, stream);
    if (this.streams.size > MAX_STREAMS) this.streams.delete(this.streams.keys().next().value!);
    return stream;
  }

  /** detect() over explicit square tiles (frame px), every face size kept; for callers that plan their own regions. */
  async detectInTiles(frame: Frame, tiles: readonly Box[]): Promise<Detection[]> {
    return this.merge(await this.scanLevels(frame, [{ tiles, maxFace: Infinity }], this.stream(frame.source).cache));
  }

  /**
   * A tile per hint the whole-frame level cannot see (face under 1.5× its smallest): the hinted face at
   * HINT_FACE_PX of the model input, mid-band, so it may move or grow by half and stay findable.
   */
  private hintTiles(whole: TileLevel, frame: Frame, hints: readonly Box[]): Array<{ tile: Box; hint: Box }> {
    const n = this.options.spec.inputSize;
    const wholeMinFace = (this.options.faceRange[0] * whole.tiles[0].width) / n;
    const tiles: Array<{ tile: Box; hint: Box }> = [];
    for (const hint of hints) {
      const size = Math.max(hint.width, hint.height);
      if (size >= 1.5 * wholeMinFace) continue;
      // Snapped (side to quarter octaves, centre to an eighth of the side) so the hint of a face that
      // stays put asks for the same tile again, which the tile cache then answers.
      const exact = Math.min(whole.tiles[0].width, Math.max(size, this.options.minFaceSize) * (n / HINT_FACE_PX));
      const side = 2 ** (Math.round(4 * Math.log2(exact)) / 4);
      const cx = snap(hint.x + hint.width / 2, side / 8), cy = snap(hint.y + hint.height / 2, side / 8);
      if (cx < 0 || cy < 0 || cx > frame.width || cy > frame.height) continue;
      tiles.push({ tile: { x: cx - side / 2, y: cy - side / 2, width: side, height: side }, hint });
    }
    return tiles;
  }

  private async scanLevels(frame: Frame, levels: readonly TileLevel[], cache: TileCache<ScoredBox[]>): Promise<ScoredBox[]> {
    const candidates: ScoredBox[] = [];
    for (const { tiles, maxFace } of levels) {
      for (const tile of tiles) {
        for (const c of await this.detectTile(frame, tile, cache)) if (Math.max(c.box.width, c.box.height) <= maxFace) candidates.push(c);
      }
    }
    return candidates;
  }

  private merge(candidates: ScoredBox[]): Detection[] {
    return weightedNms(candidates, this.options.iouThreshold).map((c) => ({ box: c.box, score: c.score, keypoints: toPoints(c.keypoints) }));
  }

  private async detectTile(frame: Frame, tile: Box, cache: TileCache<ScoredBox[]>): Promise<ScoredBox[]> {
    const cached = cache.lookup(frame, tile);
    if ('value' in cached) return cached.value;
    const found = await this.runTile(frame, tile);
    cache.store(cached.miss, found);
    return found;
  }

  private async runTile(frame: Frame, tile: Box): Promise<ScoredBox[]> {
    const n = this.options.spec.inputSize;
    // [-1,1] in the sampling pass; a letterbox of 0 (mid grey) past the frame edges, not the edge-replicated
    // streaks, which look like texture to the model.
    const outputs = await this.inputs.use((input) => runImage(this.runner, sampleRgb(frame, n, n, boxAffine(tile, n, n), { scale: 2, offset: -1, outside: 0 }, input), n, n));
    const scale = tile.width / n;
    return this.decoder.decode(outputs, this.options.minScore).map((f) => {
      const keypoints = new Float32Array(f.keypoints.length);
      for (let k = 0; k < keypoints.length; k += 2) {
        keypoints[k] = tile.x + f.keypoints[k] * scale;
        keypoints[k + 1] = tile.y + f.keypoints[k + 1] * scale;
      }
      return {
        box: { x: tile.x + f.x0 * scale, y: tile.y + f.y0 * scale, width: (f.x1 - f.x0) * scale, height: (f.y1 - f.y0) * scale },
        score: f.score,
        keypoints,
      };
    });
  }
}

/**
 * True when a fine tile scanned in this call already looks at the hinted face the way its hint tile
 * would: the face, grown by half its size each way (the slack a hint tile gives it to move), lies inside
 * the tile, and at every size in that slack the face stays within the tile's band (at least the model's
 * smallest face, at most the level's maxFace). Then the hint tile would be a second model call for it.
 */
function scanSees(scan: readonly TileLevel[], hint: Box, o: Pick<FaceDetectorOptions, 'spec' | 'faceRange'>): boolean {
  const size = Math.max(hint.width, hint.height);
  const slack = size / 2;
  return scan.slice(1).some((level) =>
    level.tiles.some(
      (t) =>
        (size / 1.5) * (o.spec.inputSize / t.width) >= o.faceRange[0] &&
        size * 1.5 <= level.maxFace &&
        hint.x - slack >= t.x && hint.y - slack >= t.y &&
        hint.x + hint.width + slack <= t.x + t.width && hint.y + hint.height + slack <= t.y + t.height,
    ),
  );
}

function snap(value: number, step: number): number {
  return Math.round(value / step) * step;
}

function toPoints(flat: Float32Array): Point[] {
  const pts: Point[] = [];
  for (let k = 0; k + 1 < flat.length; k += 2) pts.push({ x: flat[k], y: flat[k + 1] });
  return pts;
}
