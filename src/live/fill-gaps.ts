/**
 * Keeps a live output at the camera's frame rate. While the camera is away: after `gapMs` without a frame,
 * black frames follow the last one at the camera's frame interval, with pts advancing by the time that
 * passed, until real frames come back; clients stay connected and see a covered picture instead of a
 * frozen or broken stream. Where frames were dropped upstream (a stage behind, see DroppedFrames), the
 * last frame sent is repeated at each dropped frame's pts, so a recorder sees the camera's frame rate and
 * count; a repeat costs one cheap encode.
 * Output pts never go back: a real frame stamped at or before the last filler shifts the camera's timeline
 * on (a reconnect's wall-clock anchor can sit behind fillers that continued a timeline running ahead), and
 * the camera's audio must move with it (TimelineShift).
 */
import { concat, defer, map, of, switchMap, tap, timer, type OperatorFunction, type SchedulerLike } from 'rxjs';
import { framePool } from '../frame-pool.js';
import type { FaceFrame } from '../track/face.js';
import { blackData } from './cover-frame.js';

/**
 * Most repeats before one frame. A longer run of drops (a slow start, a stalled detector) keeps its gap:
 * its repeats would reach the encoder in one burst and crowd out the frames after them.
 */
const MAX_REPEATS = 8;

/** Most dropped frames remembered: more than a gap of `gapMs` holds at any sane frame rate. */
const MAX_DROPPED = 256;

/** The pts of frames dropped upstream and not yet repeated over, oldest first. */
export class DroppedFrames {
  private readonly pts: number[] = [];

  /** Reports a frame dropped before the fill stage (in the fill stage's input pts). */
  add(pts: number): void {
    this.pts.push(pts);
    if (this.pts.length > MAX_DROPPED) this.pts.shift();
  }

  /** Removes and returns the dropped pts before `pts` (ascending). */
  takeBefore(pts: number): number[] {
    let n = 0;
    while (n < this.pts.length && this.pts[n] < pts) n++;
    return this.pts.splice(0, n);
  }
}

/**
 * How far the fill stage has moved the camera's timeline on, in the frames' time base; only grows.
 * The camera's audio, which does not pass this stage, adds it too, or it would run ahead of the picture by
 * a frame or more after each reconnect (measured: 46 ms after one restart, 100 ms after three).
 */
export class TimelineShift {
  ticks = 0;
}

export interface FillGapsOptions {
  /** Silence after which fillers start, ms. */
  readonly gapMs: number;
  /** The interval of fillers, ms (read at each gap: the camera's rate is known only once it is connected). */
  readonly frameIntervalMs: () => number;
  readonly onFill?: () => void;
  /** Frames dropped upstream: each one's slot gets a repeat of the last frame sent. */
  readonly dropped?: DroppedFrames;
  /** Called with the number of repeats sent before a frame. */
  readonly onRepeat?: (count: number) => void;
  /** Shared with the audio path; reset when the stage is subscribed. */
  readonly shift?: TimelineShift;
  /** Test hook (virtual time). */
  readonly scheduler?: SchedulerLike;
}

export function fillGaps(options: FillGapsOptions): OperatorFunction<FaceFrame, FaceFrame> {
  return (source) =>
    defer(() => {
      let black: { key: string; data: Buffer } | null = null;
      /** Added to upstream pts (in their time base) once fillers ran past a real frame's pts. */
      const shift = options.shift ?? new TimelineShift();
      shift.ticks = 0;
      let last: FaceFrame | null = null;
      return source.pipe(
        map((input) => {
          const lastPts = last?.pts ?? -Infinity;
          // Dropped slots after the last frame sent (fillers may have covered some already), shifted like the frame.
          const slots = (options.dropped?.takeBefore(input.pts) ?? []).map((pts) => pts + shift.ticks).filter((pts) => pts > lastPts);
          const interval = Math.max(1, Math.round((options.frameIntervalMs() * input.timeBase.den) / (1000 * input.timeBase.num)));
          if (input.pts + shift.ticks <= lastPts) shift.ticks = lastPts + interval - input.pts;
          const frame = shift.ticks === 0 ? input : { ...input, pts: input.pts + shift.ticks };
          const open = slots.filter((pts) => pts < frame.pts);
          const repeats = last && open.length <= MAX_REPEATS ? open.map((pts): FaceFrame => ({ ...last!, pts })) : [];
          return { frame, repeats };
        }),
        switchMap(({ frame, repeats }) => {
          const interval = options.frameIntervalMs();
          const key = `${frame.format} ${frame.width}x${frame.height}`;
          if (black?.key !== key) black = { key, data: blackData(frame) };
          const data = black.data; // shared by every filler: nothing writes to a filler's pixels
          const ticksPerMs = frame.timeBase.den / (1000 * frame.timeBase.num);
          if (repeats.length > 0) options.onRepeat?.(repeats.length);
          return concat(
            of(...repeats, frame),
            timer(options.gapMs, interval, options.scheduler).pipe(
              map((i): FaceFrame => {
                options.onFill?.();
                return { ...frame, pts: frame.pts + Math.round((options.gapMs + i * interval) * ticksPerMs), data, faces: [] };
              }),
            ),
          );
        }),
        tap((frame) => {
          // Kept for the repeats after it (frame-pool.ts); fillers' black pixels are not the pool's.
          framePool.hold(frame.data);
          if (last) framePool.release(last.data);
          last = frame;
        }),
      );
    });
}
