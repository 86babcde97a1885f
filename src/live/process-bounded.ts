/**
 * Live flow control: run an async stage one item at a time, and while it is busy keep at most `capacity`
 * items waiting. When one more arrives the oldest waiting item is dropped (and reported), so what is
 * processed next is always the freshest: latency stays bounded and memory flat however far the stage
 * falls behind. (File mode is lossless instead: concatMap plus a Credit.)
 */
import { Observable, type OperatorFunction } from 'rxjs';

/**
 * The stage's view of what came after its item: `newer` resolves once a later item is waiting (or was
 * dropped), so a stage can stop waiting for optional work (a slow detection) before anything is dropped.
 */
export interface Behind {
  readonly newer: Promise<void>;
}

export interface ProcessBoundedOptions<T> {
  /** Items allowed to wait while one is processed, >= 0 (0: drop everything that arrives while busy). */
  readonly capacity: number;
  /** Called for every dropped item (count it; give back what it holds). */
  readonly onDrop: (item: T) => void;
  /** Called for every item processed, once its result was emitted (or the stage failed or was stopped): give back what it holds. */
  readonly onDone?: (item: T) => void;
}

/**
 * @returns an operator emitting `fn`'s results in arrival order of the items it processed
 * @throws (as an Observable error) whatever `fn` rejects with; stages that must keep going catch their own errors
 */
export function processBounded<T, R>(fn: (item: T, behind: Behind) => Promise<R>, options: ProcessBoundedOptions<T>): OperatorFunction<T, R> {
  if (!Number.isInteger(options.capacity) || options.capacity < 0) throw new RangeError(`capacity must be an integer >= 0, got ${options.capacity}`);
  return (source) =>
    new Observable<R>((subscriber) => {
      const waiting: T[] = [];
      let busy = false;
      let sourceDone = false;
      let closed = false;
      /** Resolves the running item's `newer`. */
      let arrived: () => void = () => {};

      const pump = async (first: T): Promise<void> => {
        busy = true;
        for (let item: T | undefined = first; item !== undefined && !closed; item = waiting.shift()) {
          try {
            const newer = new Promise<void>((resolve) => (arrived = resolve));
            if (waiting.length > 0) arrived();
            const result = await fn(item, { newer });
            // Emitted before onDone: the stages after this one hold what they keep during next().
            if (!closed) subscriber.next(result);
          } catch (error) {
            closed = true;
            subscriber.error(error);
          } finally {
            options.onDone?.(item);
          }
        }
        busy = false;
        if (sourceDone && !closed) subscriber.complete();
      };

      const sub = source.subscribe({
        next(item) {
          if (!busy) return void pump(item);
          waiting.push(item);
          arrived();
          if (waiting.length > options.capacity) options.onDrop(waiting.shift()!);
        },
        error(error) {
          closed = true;
          subscriber.error(error);
        },
        complete() {
          sourceDone = true;
          if (!busy) subscriber.complete();
        },
      });
      return () => {
        closed = true;
        sub.unsubscribe();
      };
    });
}
