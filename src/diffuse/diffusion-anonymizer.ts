/**
 * The per-track diffusion engine: the Anonymizer behind --mode nullface and --mode secure.
 *
 * Every face is aligned to the model's crop by a similarity warp from its facemesh points. Per track, a
 * full diffusion pass runs on keyframes only (every `keyframeInterval` frames, phase-locked to the frame
 * index so the keyframes of all tracks land on the same frames and share batched model calls). Between
 * keyframes the track's last anonymized crop, which lives in the canonical crop, is re-rendered through the
 * current frame's warp and mask, so it follows head motion; a new keyframe's result is cross-faded in over
 * half an interval. Chosen over re-diffusing every frame at a shallower T_skip (which would cost evaluations
 * on every frame) and over carrying the original's frame-to-frame changes onto the keyframe result (which
 * would let the input's own pixels through): a non-keyframe shows nothing of its own face.
 *
 * A face the mesh did not find, or whose mesh does not fit its box, is aligned by its box instead (upright,
 * the box's ellipse as its mask), the region the classic modes cover. Fail closed: a face whose diffusion throws is covered by the fallback
 * (classic blur) on that frame; nothing is ever left in the clear.
 *
 * Everything kept between frames belongs to one video: startVideo() drops it (tracks restart at 1 in the
 * next one) and, in secure mode, draws the new video's key salt.
 */
import { randomBytes } from 'node:crypto';
import type { Anonymizer } from '../anonymize/anonymizer.js';
import { rectMask, type RegionMask } from '../anonymize/region-mask.js';
import { NullcamError } from '../errors.js';
import type { Frame } from '../frame.js';
import type { FaceFrame, TrackedFace } from '../track/face.js';
import type { Box } from '../track/geometry.js';
import { invertAffine, type Affine } from '../track/image-sampler.js';
import { CountingPredictor } from './counting-predictor.js';
import { boxFivePoints, cropBoxEllipse, cropFaceOval, diffusionTemplate, meshFitsBox, meshFivePoints, similarityAffine, type FivePoints } from './face-alignment.js';
import { blendRegion, featherMask, latentMask, pasteCropInPlace, readCrop } from './face-crop.js';
import type { IdentityEncoder, ModelBundle } from './model-bundle.js';
import { nullCondition } from './null-condition.js';
import { NullFaceMethod } from './nullface-method.js';
import { SamplingSchedule } from './sampling-schedule.js';
import { SecureMethod } from './secure-method.js';
import { VIDEO_SALT_BYTES, videoFlipSecret } from './sign-flip.js';
import { laplacianVariance, TrackIdentity } from './track-identity.js';

export type DiffusionMethod = 'nullface' | 'secure';

export interface DiffusionAnonymizerOptions {
  readonly method: DiffusionMethod;
  /** N, the timestep grid's steps. */
  readonly steps: number;
  /** T_skip (nullface): grid steps skipped, so N − T_skip are run. The secure method always runs all N. */
  readonly tSkip: number;
  readonly lambdaCfg: number;
  readonly lambdaId: number;
  /** Denoising steps guided everywhere before the mask applies (nullface). */
  readonly maskDelay: number;
  /** Frames between two full diffusion passes of a track (1 = every frame). */
  readonly keyframeInterval: number;
  /** Most items in one UNet call. */
  readonly maxBatch: number;
  /** Seed bytes of the per-track noise streams (nullface). */
  readonly seed: Uint8Array;
  /** The 32-byte secret key (secure). */
  readonly secret?: Uint8Array;
  /**
   * Draws each video's key salt (secure); default 16 random bytes, so no two videos share a flip key.
   * Injected only where runs must be bit-identical (tests).
   */
  readonly videoSalt?: () => Uint8Array;
  /** Covers faces the engine cannot anonymize: the classic blur. */
  readonly fallback: Anonymizer;
}

export interface DiffusionStats {
  /** UNet batch items evaluated. */
  readonly unetEvaluations: number;
  /** Faces handed to the engine, over all frames. */
  readonly faceFrames: number;
  /** Face-frames that got a full diffusion pass. */
  readonly keyframes: number;
  /** Face-frames aligned by their box because the mesh found no face, or none that fits the box. */
  readonly boxAligned: number;
  /** Face-frames covered by the fallback instead (unusable geometry, or a failed pass). */
  readonly fallbacks: number;
  /** The first failure's message, if any pass failed. */
  readonly firstError?: string;
}

/**
 * Blend region: the mesh's face oval grown past hairline and jaw (mask mode grows it 1.12); without a mesh,
 * the box's ellipse grown so the feather (σ = 1/48 of the crop) starts outside what blur mode covers.
 */
const BLEND_GROWTH = { mesh: 1.2, box: 1.1 } as const;
/** Regenerated latent region: wider than the blend, so every blended pixel comes from regenerated latents. */
const LATENT_GROWTH = { mesh: 1.35, box: 1.25 } as const;
/** Tracks unseen for this many frames drop their caches. */
const FORGET_AFTER = 250;
/** Frames whose face notes are kept for the review file: more than the pipeline holds after this stage. */
const NOTES_KEPT = 64;
/** Side of the fallback's cover for a face whose box is empty, as a fraction of the frame's shorter side. */
const MIN_COVER = 0.1;

/**
 * What the review file (--tracks-json) gets per face: how it was aligned (warp: crop pixel → frame pixel,
 * [a, b, c, d, e, f] as image-sampler.ts's Affine), which keyframe's result it shows (cross-faded from the
 * one before with weight `fade`), and on keyframes the latent mask (row-major bits, base64) and, in secure
 * mode, which frame the track's key is derived for and the video's key salt (hex; not secret): what
 * reversing the secure method needs besides the master key.
 */
export interface DiffusionFaceNote {
  readonly align?: 'mesh' | 'box';
  readonly warp?: readonly number[];
  readonly keyframe?: number;
  readonly fadeFrom?: number;
  readonly fade?: number;
  readonly latentMask?: string;
  readonly keyFrame?: number;
  readonly keySalt?: string;
  readonly fallback?: 'blur';
}

interface FaceGeometry {
  readonly face: TrackedFace;
  /** Crop pixel → frame pixel. */
  readonly affine: Affine;
  /** The five alignment points in frame pixels (from the mesh, or placed in the box). */
  readonly five: FivePoints;
  /** The face region in crop pixels, grown by `growth`. */
  region(growth: number): Float32Array;
  readonly kind: 'mesh' | 'box';
}

interface PreparedFace {
  /** The tracked face; one whose box is empty gets a minimum box around its centre for the fallback. */
  readonly face: TrackedFace;
  /** Absent when the face cannot be aligned (it gets the fallback). */
  readonly g?: FaceGeometry;
  readonly alpha?: Float32Array;
  /** What regions() declared; pasting stays inside it. */
  region?: RegionMask;
}

/**
 * Everything kept between the frames of one video. startVideo() replaces it whole, so a pass still in
 * flight from the video before writes only into its own.
 */
interface VideoRun {
  readonly tracks: Map<number, TrackState>;
  readonly notes: Map<number, Map<number, DiffusionFaceNote>>;
  /**
   * regions()'s work, handed to anonymizeInPlace on the same frame: keyed by the frame's pixels (and checked
   * against its faces), since recovery capture may run regions() on the next frames before that.
   */
  readonly prepared: WeakMap<Buffer, { faces: readonly TrackedFace[]; prepared: PreparedFace[] }>;
  /** The method, with its per-track caches. */
  readonly nullface?: NullFaceMethod;
  readonly secure?: SecureMethod;
  /** The video's key salt (secure). */
  readonly salt?: Uint8Array;
}

interface TrackState {
  readonly firstFrame: number;
  lastSeen: number;
  key?: { frame: number; crop: Float32Array };
  previous?: { frame: number; crop: Float32Array };
  identity?: TrackIdentity;
}

export class DiffusionAnonymizer implements Anonymizer {
  readonly name: DiffusionMethod;
  private readonly predictor: CountingPredictor;
  private readonly size: number;
  private readonly template: FivePoints;
  /** A video's method: fresh per-track caches and, in secure mode, the video's salt and key. */
  private readonly newMethod: () => Pick<VideoRun, 'nullface' | 'secure' | 'salt'>;
  private run: VideoRun;
  private faceFrames = 0;
  private keyframes = 0;
  private fallbacks = 0;
  private boxAligned = 0;
  private firstError?: string;

  /** @throws NullcamError when the bundle lacks what the method needs */
  constructor(private readonly bundle: ModelBundle, private readonly options: DiffusionAnonymizerOptions) {
    this.name = options.method;
    this.predictor = new CountingPredictor(bundle.predictor, options.maxBatch);
    this.size = bundle.codec.imageSize;
    this.template = diffusionTemplate(this.size);
    // Awaited at the first keyframe; a failure there is a failed pass (fallback), not an unhandled rejection.
    const unconditioned = nullCondition(bundle);
    unconditioned.catch(() => undefined);
    if (options.method === 'nullface') {
      if (!bundle.projector || !bundle.identityEncoder || !bundle.nullText) {
        throw new NullcamError(`The model bundle in ${bundle.dir} (family "${bundle.family}") has no identity projection, identity encoder or empty-text context, which --mode nullface needs; use an identity-conditioned bundle or --mode secure.`, 2);
      }
      const { projector } = bundle;
      const schedule = new SamplingSchedule(bundle.scheduler, options.steps, options.tSkip);
      this.newMethod = () => ({
        nullface: new NullFaceMethod(this.predictor, projector, unconditioned, schedule, { lambdaCfg: options.lambdaCfg, maskDelay: options.maskDelay }, options.seed),
      });
    } else {
      const secret = options.secret;
      if (!secret) throw new NullcamError('--mode secure needs a secret key: pass --key-file FILE (nullcam keygen -o FILE) or --passphrase.', 2);
      const schedule = new SamplingSchedule(bundle.scheduler, options.steps);
      const drawSalt = options.videoSalt ?? (() => randomBytes(VIDEO_SALT_BYTES));
      this.newMethod = () => {
        const salt = drawSalt();
        return { salt, secure: new SecureMethod(this.predictor, schedule, unconditioned, videoFlipSecret(secret, salt)) };
      };
    }
    this.run = this.newRun();
  }

  /**
   * A new video starts: drops every track's and frame's state (its track ids and frame indexes restart) and
   * the methods' per-track caches, and in secure mode draws the video's key salt.
   */
  startVideo(): void {
    this.run = this.newRun();
  }

  private newRun(): VideoRun {
    return { tracks: new Map(), notes: new Map(), prepared: new WeakMap(), ...this.newMethod() };
  }

  stats(): DiffusionStats {
    return {
      unetEvaluations: this.predictor.evaluations,
      faceFrames: this.faceFrames,
      keyframes: this.keyframes,
      boxAligned: this.boxAligned,
      fallbacks: this.fallbacks,
      ...(this.firstError ? { firstError: this.firstError } : {}),
    };
  }

  /**
   * The pixels anonymizeInPlace will change for each face (frame.faces order): the feathered paste region
   * plus the face box, which the fallback blur covers if the face's pass fails. Called before
   * anonymizeInPlace on the same frame (recovery capture may call it for the next frames in between), which
   * then never writes outside it.
   */
  regions(frame: FaceFrame): ReadonlyArray<RegionMask | undefined> {
    return this.prepare(this.run, frame).map((p) => {
      // Only when asked (recovery data): it costs a second pass over the face.
      p.region ??= p.g ? blendRegion(frame, p.g.affine, p.alpha!, this.size, p.face.box) : rectMask(p.face.box, frame.width, frame.height);
      return p.region;
    });
  }

  async anonymizeInPlace(frame: FaceFrame): Promise<void> {
    const run = this.run;
    this.faceFrames += frame.faces.length;
    const notes = new Map<number, DiffusionFaceNote>();
    run.notes.set(frame.index, notes);
    if (run.notes.size > NOTES_KEPT) run.notes.delete(run.notes.keys().next().value!);
    const prepared = this.prepare(run, frame);
    run.prepared.delete(frame.data);
    const aligned = prepared.filter((p): p is PreparedFace & { g: FaceGeometry } => p.g !== undefined);
    const uncovered: TrackedFace[] = prepared.filter((p) => !p.g).map((p) => p.face);
    this.boxAligned += aligned.filter((p) => p.g.kind === 'box').length;
    const due = aligned.filter((p) => this.isKeyframe(run, p.face.trackId, frame.index)).map((p) => p.g);
    if (due.length > 0) {
      try {
        await this.diffuse(run, frame, due, notes);
      } catch (err) {
        this.firstError ??= (err as Error).message.split('\n')[0];
        for (const g of due) {
          const state = run.tracks.get(g.face.trackId);
          if (state) state.key = undefined;
        }
      }
    }
    for (const { g, alpha, region } of aligned) {
      const state = run.tracks.get(g.face.trackId);
      const crop = state?.key && this.shownCrop(state, frame.index);
      if (!crop) {
        uncovered.push(g.face);
        continue;
      }
      state.lastSeen = frame.index;
      pasteCropInPlace(frame, g.affine, crop, alpha!, this.size, region);
      const { a, b, c, d, e, f } = g.affine;
      const fade = this.fadeWeight(state, frame.index);
      notes.set(g.face.trackId, {
        align: g.kind,
        warp: [a, b, c, d, e, f],
        keyframe: state.key!.frame,
        ...(fade < 1 ? { fadeFrom: state.previous!.frame, fade } : {}),
        ...notes.get(g.face.trackId),
      });
    }
    for (const face of uncovered) notes.set(face.trackId, { fallback: 'blur' });
    if (uncovered.length > 0) {
      this.fallbacks += uncovered.length;
      await this.options.fallback.anonymizeInPlace({ ...frame, faces: uncovered });
    }
    forgetStale(run, frame.index);
  }

  /** Each face's alignment, blend mask and declared region for `frame`, computed once. */
  private prepare(run: VideoRun, frame: FaceFrame): PreparedFace[] {
    const cached = run.prepared.get(frame.data);
    if (cached?.faces === frame.faces) return cached.prepared;
    const prepared = frame.faces.map((face): PreparedFace => {
      const g = this.align(face);
      if (!g) return { face: { ...face, box: coverBox(face.box, frame.width, frame.height) } };
      return { face, g, alpha: featherMask(g.region(BLEND_GROWTH[g.kind]), this.size, 1 / 48) };
    });
    run.prepared.set(frame.data, { faces: frame.faces, prepared });
    return prepared;
  }

  /** The face's note (warp, keyframe, latent mask, key frame and salt) as JSON: what the recovery record keeps beside the pixels. */
  recoveryExtra(frame: FaceFrame, faceIndex: number): Uint8Array | undefined {
    const note = this.run.notes.get(frame.index)?.get(frame.faces[faceIndex].trackId);
    return note ? Buffer.from(JSON.stringify(note), 'utf8') : undefined;
  }

  faceNotes(frame: FaceFrame): ReadonlyMap<number, DiffusionFaceNote> | undefined {
    const notes = this.run.notes.get(frame.index);
    this.run.notes.delete(frame.index);
    return notes;
  }

  async dispose(): Promise<void> {
    await this.bundle.close();
  }

  /** The similarity warp from the diffusion template onto the face; undefined when the points are unusable. */
  private align(face: TrackedFace): FaceGeometry | undefined {
    if (!(face.box.width > 0 && face.box.height > 0)) return undefined;
    const landmarks = face.landmarks && meshFitsBox(face.landmarks, face.box) ? face.landmarks : undefined;
    const five = landmarks ? meshFivePoints(landmarks) : boxFivePoints(face.box);
    const affine = similarityAffine(this.template, five);
    const scale = Math.hypot(affine.a, affine.d);
    if (!Number.isFinite(affine.c) || !Number.isFinite(affine.f) || !(scale > 1e-3)) return undefined;
    const toCrop = invertAffine(affine);
    return {
      face,
      affine,
      five,
      kind: landmarks ? 'mesh' : 'box',
      region: (growth: number) => (landmarks ? cropFaceOval(landmarks, toCrop, growth) : cropBoxEllipse(face.box, toCrop, growth)),
    };
  }

  /**
   * New tracks at once; then on the global phase (index a multiple of the interval) once half an interval
   * has passed, so the keyframes of all tracks fall on the same frames and batch together. A track that
   * missed its phase frame (no face there) gets one after 1.5 intervals. Gaps stay under 1.5 intervals.
   */
  private isKeyframe(run: VideoRun, track: number, index: number): boolean {
    const key = run.tracks.get(track)?.key;
    if (!key) return true;
    const since = index - key.frame;
    const interval = this.options.keyframeInterval;
    return (index % interval === 0 && since >= interval / 2) || since >= Math.ceil(1.5 * interval);
  }

  /** One batched pass: encode every due crop, run the method, decode, store per track. */
  private async diffuse(run: VideoRun, frame: Frame, due: readonly FaceGeometry[], notes: Map<number, DiffusionFaceNote>): Promise<void> {
    const { codec } = this.bundle;
    const n = this.size * this.size * 3;
    const images = new Float32Array(due.length * n);
    due.forEach((g, i) => images.set(readCrop(frame, g.affine, this.size), i * n));
    const latents = await codec.encode(images, due.length);
    const { channels, height, width } = codec.latent;
    const ls = channels * height * width;
    const faces = due.map((g, i) => {
      const state = trackState(run, g.face.trackId, frame.index);
      const mask = latentMask(g.region(LATENT_GROWTH[g.kind]), this.size, width, height);
      return { g, state, x0: latents.slice(i * ls, (i + 1) * ls), mask };
    });
    let out: Float32Array[];
    if (run.nullface) {
      await this.updateIdentities(frame, faces);
      out = await run.nullface.anonymize(faces.map((f) => ({ track: f.g.face.trackId, x0: f.x0, mask: f.mask, identity: f.state.identity!.negated() })));
    } else {
      out = await run.secure!.anonymize(faces.map((f) => ({ key: { track: f.g.face.trackId, frame: f.state.firstFrame }, x0: f.x0, mask: f.mask })));
    }
    const batch = new Float32Array(due.length * ls);
    out.forEach((x, i) => batch.set(x, i * ls));
    const decoded = await codec.decode(batch, due.length);
    faces.forEach((f, i) => {
      const shown = f.state.key && this.shownCrop(f.state, frame.index);
      f.state.previous = shown && { frame: f.state.key!.frame, crop: shown };
      f.state.key = { frame: frame.index, crop: decoded.slice(i * n, (i + 1) * n) };
      notes.set(f.g.face.trackId, { latentMask: packBits(f.mask), ...(run.salt ? { keyFrame: f.state.firstFrame, keySalt: Buffer.from(run.salt).toString('hex') } : {}) });
    });
    this.keyframes += due.length;
  }

  /**
   * Embeds detected, mesh-aligned faces (and any track that has no estimate yet) with the bundle's identity
   * encoder in its own 5-point alignment, one batched call; box-placed points would blur the estimate.
   */
  private async updateIdentities(frame: Frame, faces: readonly { g: FaceGeometry; state: TrackState }[]): Promise<void> {
    const encoder = this.bundle.identityEncoder as IdentityEncoder;
    const want = faces.filter((f) => (f.g.face.origin === 'detected' && f.g.kind === 'mesh') || !f.state.identity?.size);
    if (want.length === 0) return;
    const s = encoder.inputSize;
    const crops = new Float32Array(want.length * 3 * s * s);
    const sharpness = want.map((f, i) => {
      const crop = readCrop(frame, similarityAffine(encoder.template, f.g.five), s);
      crops.set(crop, i * crop.length);
      return laplacianVariance(crop, s);
    });
    const embeddings = await encoder.embed(crops, want.length);
    const e = encoder.embeddingSize;
    want.forEach((f, i) => {
      f.state.identity ??= new TrackIdentity(this.options.lambdaId);
      f.state.identity.add(embeddings.slice(i * e, (i + 1) * e), sharpness[i]);
    });
  }

  /** The crop to show: the keyframe's, cross-faded from the one before over half an interval. */
  private shownCrop(state: TrackState, index: number): Float32Array | undefined {
    const key = state.key;
    if (!key) return undefined;
    const w = this.fadeWeight(state, index);
    if (w >= 1) return key.crop;
    const previous = state.previous!.crop;
    const out = new Float32Array(key.crop.length);
    for (let i = 0; i < out.length; i++) out[i] = w * key.crop[i] + (1 - w) * previous[i];
    return out;
  }

  /** Weight of the current keyframe's crop against the previous one's (1 once the fade is over). */
  private fadeWeight(state: TrackState, index: number): number {
    if (!state.key || !state.previous) return 1;
    const fade = Math.max(1, Math.ceil(this.options.keyframeInterval / 2));
    return Math.min(1, (index - state.key.frame + 1) / fade);
  }
}

function trackState(run: VideoRun, track: number, index: number): TrackState {
  let s = run.tracks.get(track);
  if (!s) run.tracks.set(track, (s = { firstFrame: index, lastSeen: index }));
  return s;
}

function forgetStale(run: VideoRun, index: number): void {
  for (const [track, s] of run.tracks) {
    if (index - s.lastSeen <= FORGET_AFTER) continue;
    run.tracks.delete(track);
    run.nullface?.forget(track);
    run.secure?.forget(track);
  }
}

/**
 * The fallback's cover for a face: its box, or for an empty one (a tracker glitch) a square around its
 * centre of at least MIN_COVER of the frame, or the whole frame when not even the centre is known: an
 * empty box covered as it is would cover nothing.
 */
function coverBox(box: Box, width: number, height: number): Box {
  if (box.width > 0 && box.height > 0 && Number.isFinite(box.x) && Number.isFinite(box.y)) return box;
  const cx = box.x + box.width / 2, cy = box.y + box.height / 2;
  if (!Number.isFinite(cx) || !Number.isFinite(cy)) return { x: 0, y: 0, width, height };
  const side = Math.max(Math.abs(box.width), Math.abs(box.height), MIN_COVER * Math.min(width, height));
  return { x: cx - side / 2, y: cy - side / 2, width: side, height: side };
}

/** 0/1 bytes → bits, row-major, least significant bit first, base64. */
function packBits(mask: Uint8Array): string {
  const out = Buffer.alloc(Math.ceil(mask.length / 8));
  for (let i = 0; i < mask.length; i++) if (mask[i]) out[i >> 3] |= 1 << (i & 7);
  return out.toString('base64');
}
