/**
 * Keeps a live output going while its camera is away: after `gapMs` without a frame, black frames follow
 * the last one at the camera's frame interval, with pts advancing by the time that passed, until real
 * frames come back. Clients stay connected and see a covered picture instead of a frozen or broken stream.
 */
import { concat, map, of, switchMap, timer, type OperatorFunction, type SchedulerLike } from 'rxjs';
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
  let black: { key: string; data: Buffer } | null = null;
  return switchMap((frame) => {
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
  });
}
