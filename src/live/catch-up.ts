/**
 * Catching up when frames arrive late. The anonymize stage drops frames that arrive while it is busy, but
 * when the whole process is short of CPU the frames are read late rather than quickly, each one finds the
 * stage idle, and the backlog (in the decoder's pipe and socket) grows. While frames arrive more than
 * `lagMs` behind the camera's pace, every other one is dropped before any work is spent on it, which
 * halves the load until the backlog is gone.
 */
import { filter, type MonoTypeOperatorFunction } from 'rxjs';

export interface CatchUpOptions<T> {
  /** Lag (ms) above which every other frame is dropped. */
  readonly lagMs: number;
  /** The current frame's lag, ms (the source reports it just before emitting the frame). */
  readonly currentLagMs: () => number;
  readonly onDrop?: (item: T) => void;
}

export function catchUp<T>(options: CatchUpOptions<T>): MonoTypeOperatorFunction<T> {
  let droppedPrevious = false;
  return filter((item) => {
    const drop = !droppedPrevious && options.currentLagMs() > options.lagMs;
    droppedPrevious = drop;
    if (drop) options.onDrop?.(item);
    return !drop;
  });
}
