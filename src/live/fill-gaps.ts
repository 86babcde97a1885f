/**
 * Keeps a live output going while its camera is away: after `gapMs` without a frame, black frames follow
 * the last one at the camera's frame interval, with pts advancing by the time that passed, until real
 * frames come back. Clients stay connected and see a covered picture instead of a frozen or broken stream.
 * Output pts never go back: a real frame stamped at or before the last filler shifts the camera's timeline
 * on (a reconnect's wall-clock anchor can sit behind fillers that continued a timeline running ahead).
 */
import { concat, defer, map, of, switchMap, tap, timer, type OperatorFunction, type SchedulerLike } from 'rxjs';
import type { FaceFrame } from '../track/face.js';
import { blackData } from './cover-frame.js';

export interface FillGapsOptions {
  /** Silence after which fillers start, ms. */
  readonly gapMs: number;
  /** The interval of fillers, ms (read at each gap: the camera's rate is known only once it is connected). */
  readonly frameIntervalMs: () => number;
  readonly onFill?: () => void;
  /** Test hook (virtual time). */
  readonly scheduler?: SchedulerLike;
}

export function fillGaps(options: FillGapsOptions): OperatorFunction<FaceFrame, FaceFrame> {
  return (source) =>
    defer(() => {
      let black: { key: string; data: Buffer } | null = null;
      /** Added to upstream pts (in their time base) once fillers ran past a real frame's pts. */
      let shift = 0;
      let lastPts = -Infinity;
      return source.pipe(
        map((frame): FaceFrame => {
          const interval = Math.max(1, Math.round((options.frameIntervalMs() * frame.timeBase.den) / (1000 * frame.timeBase.num)));
          if (frame.pts + shift <= lastPts) shift = lastPts + interval - frame.pts;
          return shift === 0 ? frame : { ...frame, pts: frame.pts + shift };
        }),
        switchMap((frame) => {
          const interval = options.frameIntervalMs();
          const key = `${frame.format} ${frame.width}x${frame.height}`;
          if (black?.key !== key) black = { key, data: blackData(frame) };
          const data = black.data; // shared by every filler: nothing writes to a filler's pixels
          const ticksPerMs = frame.timeBase.den / (1000 * frame.timeBase.num);
          return concat(
            of(frame),
            timer(options.gapMs, interval, options.scheduler).pipe(
              map((i): FaceFrame => {
                options.onFill?.();
                return { ...frame, pts: frame.pts + Math.round((options.gapMs + i * interval) * ticksPerMs), data, faces: [] };
              }),
            ),
          );
        }),
        tap((frame) => (lastPts = frame.pts)),
      );
    });
}
