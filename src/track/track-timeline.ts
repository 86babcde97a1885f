/**
 * File-mode fail-closed coverage. The track stage holds frames for a look-ahead window, so when a frame
 * leaves it, detections from both sides are known: a face missed for a few frames is interpolated between
 * its detections, extrapolated past its last one (hold) and before its first one (backfill), and the box
 * grows with the distance from the nearest detection because the position is less certain there. Pure.
 */
import type { FaceOrigin, TrackedFace } from './face.js';
import { dilateBox, lerpBox, type Box } from './geometry.js';

export interface TimelineOptions {
  /** Frames after a track's last detection during which it is still covered (extrapolated). */
  readonly holdFrames: number;
  /** Frames before a track's first detection that are covered too (a face enters before it is detected). */
  readonly backfillFrames: number;
  /** Longest gap between two detections of a track that is interpolated; longer gaps are extrapolated from both ends. */
  readonly maxInterpolateGap: number;
  /** Dilation of every box, as a fraction of its size per side. */
  readonly dilate: number;
  /** Extra dilation per frame away from the nearest detection, capped at `maxExtraDilate`. */
  readonly dilatePerFrame: number;
  readonly maxExtraDilate: number;
}

/** One detection of one track, as the timeline keeps it. */
export interface Observation {
  readonly frame: number;
  readonly box: Box;
  readonly score: number;
  readonly landmarks?: Float32Array;
}

export class TrackTimeline {
  private readonly tracks = new Map<number, Observation[]>();
  /** Tracks the tracker rejected as false positives, and the frame where they were looked for and missed. */
  private readonly rejected = new Map<number, number>();

  constructor(private readonly opts: TimelineOptions) {}

  /** Records a detection; observations of one track must arrive in frame order. */
  observe(trackId: number, obs: Observation): void {
    // Seen again (re-identified): whatever rejected it was wrong.
    this.rejected.delete(trackId);
    const list = this.tracks.get(trackId);
    if (list) list.push(obs);
    else this.tracks.set(trackId, [obs]);
  }

  /**
   * The tracker rejected this track (detected once, then looked for at `frame` and not found): cover it
   * only until `frame`, and backfill it no further back than that distance, instead of the full hold and
   * backfill meant for real faces the detector loses for a while.
   */
  reject(trackId: number, frame: number): void {
    // Already pruned: nothing left to cut short, and an entry would never be removed.
    if (this.tracks.has(trackId)) this.rejected.set(trackId, frame);
  }

  /** Faces to cover on `frame`, given everything observed so far. */
  facesAt(frame: number): TrackedFace[] {
    const faces: TrackedFace[] = [];
    for (const [trackId, obs] of this.tracks) {
      const face = this.faceOf(trackId, obs, frame);
      if (face) faces.push(face);
    }
    return faces;
  }

  /**
   * Forgets what can no longer affect frames >= `frame`: per track, observations before the last two
   * at or before `frame - holdFrames` (two are kept for the velocity), and tracks that ended.
   */
  prune(frame: number): void {
    for (const [id, obs] of this.tracks) {
      let keepFrom = 0;
      for (let i = 0; i < obs.length; i++) if (obs[i].frame <= frame) keepFrom = Math.max(0, i - 1);
      if (keepFrom > 0) obs.splice(0, keepFrom);
      const last = obs[obs.length - 1];
      const rejectedAt = this.rejected.get(id);
      if (last.frame + this.opts.holdFrames < frame || (rejectedAt !== undefined && rejectedAt <= frame)) {
        this.tracks.delete(id);
        this.rejected.delete(id);
      }
    }
  }

  private faceOf(trackId: number, obs: readonly Observation[], frame: number): TrackedFace | undefined {
    const o = this.opts;
    let p = -1;
    for (let i = 0; i < obs.length && obs[i].frame <= frame; i++) p = i;
    const prev = p >= 0 ? obs[p] : undefined;
    const next = p + 1 < obs.length ? obs[p + 1] : undefined;

    if (prev && prev.frame === frame) return this.face(trackId, prev.box, prev, 'detected', 0);
    if (prev && next && next.frame - prev.frame <= o.maxInterpolateGap) {
      const t = (frame - prev.frame) / (next.frame - prev.frame);
      const box = lerpBox(prev.box, next.box, t);
      const [near, far] = t < 0.5 ? [prev, next] : [next, prev];
      return this.face(trackId, box, near.landmarks || !far.landmarks ? near : far, 'interpolated', Math.min(frame - prev.frame, next.frame - frame));
    }
    const rejectedAt = this.rejected.get(trackId);
    const hold = rejectedAt === undefined ? o.holdFrames : rejectedAt - obs[0].frame - 1;
    const backfill = rejectedAt === undefined ? o.backfillFrames : Math.min(o.backfillFrames, rejectedAt - obs[0].frame - 1);
    const ahead = prev && frame - prev.frame <= hold ? extrapolate(obs, p, frame) : undefined;
    const behind = next && next.frame - frame <= backfill ? extrapolate(obs, p + 1, frame) : undefined;
    if (ahead && behind) {
      // A long gap with both ends near: the face may be anywhere between, so cover both guesses.
      const dist = Math.min(frame - prev!.frame, next!.frame - frame);
      return this.face(trackId, union(ahead, behind), frame - prev!.frame <= next!.frame - frame ? prev! : next!, 'extrapolated', dist);
    }
    if (ahead) return this.face(trackId, ahead, prev!, 'extrapolated', frame - prev!.frame);
    if (behind) return this.face(trackId, behind, next!, 'extrapolated', next!.frame - frame);
    return undefined;
  }

  /** @param near the observation whose score and landmarks the face takes */
  private face(trackId: number, box: Box, near: Observation, origin: FaceOrigin, distance: number): TrackedFace {
    const o = this.opts;
    const grown = dilateBox(box, o.dilate + Math.min(o.maxExtraDilate, o.dilatePerFrame * distance));
    const landmarks = near.landmarks && mapLandmarks(near.landmarks, near.box, box);
    return { trackId, box: grown, score: near.score, origin, ...(landmarks ? { landmarks } : {}) };
  }
}

/** Box at `frame` by constant velocity from observation i and its neighbour (the one on the same side of the data). */
function extrapolate(obs: readonly Observation[], i: number, frame: number): Box {
  const a = obs[i];
  const j = frame >= a.frame ? i - 1 : i + 1;
  const b = obs[j];
  if (!b) return a.box;
  // lerpBox with t beyond [0,1] continues the straight line through b and a; velocity is damped by half
  // because detector jitter between two close detections extrapolates badly.
  const t = (frame - b.frame) / (a.frame - b.frame);
  const moved = lerpBox(a.box, lerpBox(b.box, a.box, t), 0.5);
  // The centre follows the motion, the size never shrinks below the nearest detection's: a face shrinking
  // between two detections would otherwise extrapolate to a tiny or negative box and go uncovered.
  const width = Math.max(moved.width, a.box.width), height = Math.max(moved.height, a.box.height);
  return { x: moved.x + (moved.width - width) / 2, y: moved.y + (moved.height - height) / 2, width, height };
}

function union(a: Box, b: Box): Box {
  const x = Math.min(a.x, b.x), y = Math.min(a.y, b.y);
  return { x, y, width: Math.max(a.x + a.width, b.x + b.width) - x, height: Math.max(a.y + a.height, b.y + b.height) - y };
}

/** Moves landmarks detected in box `from` into box `to` (same relative positions). */
function mapLandmarks(points: Float32Array, from: Box, to: Box): Float32Array {
  if (from === to) return points;
  const sx = to.width / from.width, sy = to.height / from.height;
  const out = new Float32Array(points.length);
  for (let i = 0; i < points.length; i += 3) {
    out[i] = to.x + (points[i] - from.x) * sx;
    out[i + 1] = to.y + (points[i + 1] - from.y) * sy;
    out[i + 2] = points[i + 2] * sx;
  }
  return out;
}
