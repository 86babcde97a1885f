/**
 * Online multi-face tracker: associates each frame's detections with live tracks by IoU against the
 * constant-velocity prediction, falls back to centre distance for fast motion, and re-identifies
 * faces after occlusion by identity embedding. Tracks survive `maxMisses` observed frames without a
 * detection. Pure: no I/O, no models; callers pass detections and (optionally) embeddings.
 */
import type { Detection } from './face.js';
import { cosineSimilarity } from './face-embedder.js';
import { iou, type Box } from './geometry.js';

export interface TrackerOptions {
  /** Minimum IoU between a prediction and a detection to match them. */
  readonly minIou: number;
  /** Max centre distance, in units of the track's box diagonal, for a non-overlapping match (fast motion). */
  readonly maxCentreDistance: number;
  /** Observed frames a track may go undetected before it is lost (still re-identifiable). */
  readonly maxMisses: number;
  /**
   * Observed frames a track detected only once may go undetected before it is rejected as a false
   * positive. Callers look for every live track on every observed frame (detector hints), so a real face
   * is confirmed at once; a background patch that scored once is not.
   */
  readonly tentativeMisses: number;
  /** Only a track whose one detection scored below this is rejected that way: a confident face is held as long as any. */
  readonly tentativeMaxScore: number;
  /** Frames a lost track stays re-identifiable by embedding. */
  readonly reidWindow: number;
  /** Cosine similarity at or above which an embedding re-identifies a lost track. */
  readonly reidThreshold: number;
}

export const DEFAULT_TRACKER_OPTIONS: TrackerOptions = Object.freeze({
  minIou: 0.15,
  maxCentreDistance: 0.75,
  maxMisses: 8,
  tentativeMisses: 1,
  tentativeMaxScore: 0.5,
  reidWindow: 150,
  reidThreshold: 0.6,
});

/** A track's state after an update. */
export interface TrackState {
  readonly id: number;
  /** Last detected box (not the prediction). */
  readonly box: Box;
  /** Frame index of the last detection. */
  readonly lastSeen: number;
  readonly score: number;
  /** Box change per frame (x, y, width, height), estimated from the last two detections. */
  readonly velocity: Box;
  readonly hits: number;
  readonly misses: number;
  /** Running mean of the track's embeddings, L2-normalized; undefined until one was given. */
  readonly embedding?: Float32Array;
}

/** Result of one update: which track each detection went to (same order as the detections). */
export interface TrackerUpdate {
  readonly trackIds: readonly number[];
  /** Tracks alive after this update, detected or not. */
  readonly live: readonly TrackState[];
  /** Tracks detected once and missed `tentativeMisses` times since: dropped as false positives. */
  readonly rejected: readonly number[];
}

interface MutableTrack {
  id: number;
  box: Box;
  lastSeen: number;
  score: number;
  velocity: Box;
  hits: number;
  misses: number;
  embedding?: Float32Array;
}

const ZERO_BOX: Box = { x: 0, y: 0, width: 0, height: 0 };

export class Tracker {
  private readonly opts: TrackerOptions;
  private live: MutableTrack[] = [];
  private lost: MutableTrack[] = [];
  private nextId = 1;

  constructor(options: Partial<TrackerOptions> = {}) {
    this.opts = { ...DEFAULT_TRACKER_OPTIONS, ...options };
  }

  /** Where a track's box is expected on `frameIndex`, by constant velocity from its last detection. */
  static predict(track: Pick<TrackState, 'box' | 'velocity' | 'lastSeen'>, frameIndex: number): Box {
    const dt = frameIndex - track.lastSeen;
    const { box: b, velocity: v } = track;
    return {
      x: b.x + v.x * dt,
      y: b.y + v.y * dt,
      width: Math.max(1, b.width + v.width * dt),
      height: Math.max(1, b.height + v.height * dt),
    };
  }

  /**
   * Feeds one observed frame's detections.
   * @param frameIndex index of the frame the detections come from; must not decrease
   * @param embeddings optional L2-normalized identity embedding per detection (same order), for re-identification
   */
  update(frameIndex: number, detections: readonly Detection[], embeddings: ReadonlyArray<Float32Array | undefined> = []): TrackerUpdate {
    const o = this.opts;
    const trackIds: number[] = new Array(detections.length).fill(0);
    const pairs: Array<{ t: number; d: number; cost: number }> = [];
    this.live.forEach((track, t) => {
      const pred = Tracker.predict(track, frameIndex);
      const diag = Math.hypot(pred.width, pred.height);
      detections.forEach((det, d) => {
        const overlap = iou(pred, det.box);
        const dist = centreDistance(pred, det.box) / diag;
        if (overlap < o.minIou && dist > o.maxCentreDistance) return;
        // IoU dominates; distance breaks ties and handles jumps; embedding disagreement vetoes nothing
        // (blur/profile views change embeddings) but pushes the match to the back of the queue.
        const emb = embeddings[d] && track.embedding ? 1 - cosineSimilarity(embeddings[d]!, track.embedding) : 0;
        pairs.push({ t, d, cost: (1 - overlap) + 0.5 * dist + 0.5 * emb });
      });
    });
    // Greedy by cost: with a handful of faces per frame it matches what Hungarian would, and is stable.
    pairs.sort((a, b) => a.cost - b.cost || a.t - b.t || a.d - b.d);
    const usedT = new Set<number>();
    for (const p of pairs) {
      if (usedT.has(p.t) || trackIds[p.d] !== 0) continue;
      usedT.add(p.t);
      trackIds[p.d] = this.live[p.t].id;
      this.observe(this.live[p.t], frameIndex, detections[p.d], embeddings[p.d]);
    }
    this.live.forEach((track, t) => {
      if (!usedT.has(t)) track.misses++;
    });

    // Unmatched detections: a lost track with a matching embedding comes back under its old id.
    this.lost = this.lost.filter((t) => frameIndex - t.lastSeen <= o.reidWindow);
    detections.forEach((det, d) => {
      if (trackIds[d] !== 0) return;
      const emb = embeddings[d];
      let revived: MutableTrack | undefined;
      if (emb) {
        let best = o.reidThreshold;
        for (const t of this.lost) {
          const s = t.embedding ? cosineSimilarity(emb, t.embedding) : -1;
          if (s >= best) {
            best = s;
            revived = t;
          }
        }
      }
      if (revived) {
        this.lost.splice(this.lost.indexOf(revived), 1);
        // Velocity from before the occlusion means nothing now.
        revived.velocity = ZERO_BOX;
        revived.lastSeen = frameIndex;
        revived.box = det.box;
        revived.misses = 0;
        this.observe(revived, frameIndex, det, emb);
        this.live.push(revived);
        trackIds[d] = revived.id;
      } else {
        const track: MutableTrack = { id: this.nextId++, box: det.box, lastSeen: frameIndex, score: det.score, velocity: ZERO_BOX, hits: 1, misses: 0 };
        if (emb) track.embedding = Float32Array.from(emb);
        this.live.push(track);
        trackIds[d] = track.id;
      }
    });

    const stillLive: MutableTrack[] = [];
    const rejected: number[] = [];
    for (const t of this.live) {
      // A rejected track stays re-identifiable like a lost one: a real face seen once may come back.
      const tentativeOver = t.hits === 1 && t.score < o.tentativeMaxScore && t.misses > o.tentativeMisses;
      if (tentativeOver) rejected.push(t.id);
      (tentativeOver || t.misses > o.maxMisses ? this.lost : stillLive).push(t);
    }
    this.live = stillLive;
    return { trackIds, live: this.live.map(snapshot), rejected };
  }

  /** Tracks currently alive. */
  get tracks(): readonly TrackState[] {
    return this.live.map(snapshot);
  }

  /** Track ids handed out so far. */
  get trackCount(): number {
    return this.nextId - 1;
  }

  private observe(track: MutableTrack, frameIndex: number, det: Detection, emb: Float32Array | undefined): void {
    const dt = frameIndex - track.lastSeen;
    if (dt > 0 && track.hits > 0) {
      const v = {
        x: (det.box.x - track.box.x) / dt,
        y: (det.box.y - track.box.y) / dt,
        width: (det.box.width - track.box.width) / dt,
        height: (det.box.height - track.box.height) / dt,
      };
      // Light smoothing: detector jitter otherwise becomes velocity noise that the extrapolation amplifies.
      const a = track.hits > 1 ? 0.6 : 1;
      track.velocity = {
        x: a * v.x + (1 - a) * track.velocity.x,
        y: a * v.y + (1 - a) * track.velocity.y,
        width: a * v.width + (1 - a) * track.velocity.width,
        height: a * v.height + (1 - a) * track.velocity.height,
      };
    }
    track.box = det.box;
    track.lastSeen = frameIndex;
    track.score = det.score;
    track.hits++;
    track.misses = 0;
    if (emb) track.embedding = track.embedding ? normalizedMean(track.embedding, emb, 0.9) : Float32Array.from(emb);
  }
}

function snapshot(t: MutableTrack): TrackState {
  return { ...t };
}

function centreDistance(a: Box, b: Box): number {
  return Math.hypot(a.x + a.width / 2 - (b.x + b.width / 2), a.y + a.height / 2 - (b.y + b.height / 2));
}

/** keep·old + (1-keep)·new, re-normalized. */
function normalizedMean(old: Float32Array, add: Float32Array, keep: number): Float32Array {
  const out = new Float32Array(old.length);
  let n = 0;
  for (let i = 0; i < old.length; i++) {
    out[i] = keep * old[i] + (1 - keep) * add[i];
    n += out[i] * out[i];
  }
  n = Math.sqrt(n) || 1;
  for (let i = 0; i < out.length; i++) out[i] /= n;
  return out;
}
