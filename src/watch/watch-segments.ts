/**
 * `nullcam watch`'s loop: scan the recorder's directory, take each segment once it is closed and stable,
 * anonymize it into the same relative path under the output directory, and record the outcome in the
 * state file. Idempotent and resumable: a segment recorded done is never taken again; one that was being
 * processed when the process died is taken again (its temp output is removed first); an output that was
 * renamed into place but not yet recorded is adopted rather than redone.
 */
import { watch, type FSWatcher } from 'node:fs';
import { mkdir, stat, unlink } from 'node:fs/promises';
import path from 'node:path';
import { Observable, type Subscription } from 'rxjs';
import { removeStaleTempOutputs } from '../egress/output-file.js';
import { NullcamError } from '../errors.js';
import { listSegments, outputFor, type SegmentFile } from './segment-files.js';
import { SegmentStability } from './segment-stability.js';
import type { WatchState } from './watch-state.js';

export type WatchEvent =
  | { readonly event: 'done'; readonly segment: string; readonly output: string; readonly frames: number; readonly seconds: number }
  /** The output was already in place from a run killed before it could record it. */
  | { readonly event: 'adopted'; readonly segment: string; readonly output: string }
  | { readonly event: 'failed'; readonly segment: string; readonly reason: string }
  | { readonly event: 'deleted'; readonly segment: string }
  /** The watched directory could not be read; the scan is retried at the next poll. */
  | { readonly event: 'error'; readonly reason: string };

export interface WatchSegmentsOptions {
  readonly inDir: string;
  readonly outDir: string;
  readonly state: WatchState;
  /** How long a segment's size and mtime must stay unchanged before it is taken (ms). */
  readonly settleMs: number;
  /** Time between scans (ms); file creation events shorten the wait. */
  readonly pollMs: number;
  /** Delete each original once its output is in place and recorded. */
  readonly deleteOriginals: boolean;
  /** Anonymizes `input` into `output` (replacing it), emitting once the output is in place. */
  readonly anonymize: (input: string, output: string) => Observable<{ readonly frames: number }>;
}

/** Runs until unsubscribed; unsubscribing stops the segment in progress and removes its temp output. */
export function watchSegments(o: WatchSegmentsOptions): Observable<WatchEvent> {
  return new Observable<WatchEvent>((subscriber) => {
    const stability = new SegmentStability(o.settleMs);
    let stopped = false;
    let job: Subscription | undefined;
    let timer: NodeJS.Timeout | undefined;
    let wake = (): void => {};

    const run = (input: string, output: string): Promise<{ frames: number }> =>
      new Promise((resolve, reject) => {
        job = o.anonymize(input, output).subscribe({ next: resolve, error: reject, complete: () => reject(new Error('the pipeline ended without output')) });
      });

    const deleteOriginal = async (f: SegmentFile): Promise<void> => {
      // Only the very file that was anonymized: a segment rewritten since is a new recording.
      const now = await stat(f.path).catch(() => undefined);
      if (!now || now.size !== f.size || now.mtimeMs !== f.mtimeMs) return;
      await unlink(f.path);
      subscriber.next({ event: 'deleted', segment: f.segment });
    };

    const take = async (f: SegmentFile): Promise<void> => {
      const outRel = outputFor(f.segment);
      const output = path.join(o.outDir, outRel);
      const record = { size: f.size, mtimeMs: f.mtimeMs };
      await mkdir(path.dirname(output), { recursive: true });
      await removeStaleTempOutputs(output);
      // Outputs appear only by rename after success, so one newer than the segment is complete.
      const existing = await stat(output).catch(() => undefined);
      if (existing && existing.mtimeMs >= f.mtimeMs) {
        await o.state.record(f.segment, { status: 'done', ...record, output: outRel });
        subscriber.next({ event: 'adopted', segment: f.segment, output });
        if (o.deleteOriginals) await deleteOriginal(f);
        return;
      }
      const started = performance.now();
      let frames: number;
      try {
        ({ frames } = await run(f.path, output));
      } catch (error) {
        if (stopped) return;
        const reason = error instanceof NullcamError ? error.message : `internal error: ${(error as Error)?.message ?? String(error)}`;
        await o.state.record(f.segment, { status: 'failed', ...record, reason });
        subscriber.next({ event: 'failed', segment: f.segment, reason });
        return;
      }
      if (stopped) return;
      await o.state.record(f.segment, { status: 'done', ...record, output: outRel });
      subscriber.next({ event: 'done', segment: f.segment, output, frames, seconds: Math.round(performance.now() - started) / 1000 });
      if (o.deleteOriginals) await deleteOriginal(f);
    };

    const pass = async (): Promise<void> => {
      let files: SegmentFile[];
      try {
        files = await listSegments(o.inDir, o.outDir);
      } catch (error) {
        subscriber.next({ event: 'error', reason: `cannot read ${o.inDir} (${(error as NodeJS.ErrnoException).code ?? String(error)}); retrying` });
        return;
      }
      const present = new Set(files.map((f) => f.segment));
      stability.retain(present);
      await o.state.retain(present);
      for (const f of files) {
        if (stopped) return;
        const done = o.state.get(f.segment);
        if (done && done.size === f.size && done.mtimeMs === f.mtimeMs) {
          // Killed between recording and deleting: finish the deletion now.
          if (done.status === 'done' && o.deleteOriginals) await deleteOriginal(f);
          continue;
        }
        if (stability.observe(f.segment, f, Date.now())) await take(f);
      }
    };

    let watcher: FSWatcher | undefined;
    try {
      // A hint only (not every file system reports events): a new file starts its settle period sooner.
      watcher = watch(o.inDir, { recursive: true }, (type) => type === 'rename' && wake());
      watcher.on('error', () => watcher?.close());
    } catch {
      watcher = undefined;
    }

    (async () => {
      while (!stopped) {
        await pass();
        if (stopped) break;
        await new Promise<void>((resolve) => {
          wake = resolve;
          timer = setTimeout(resolve, o.pollMs);
        });
      }
    })().catch((error: unknown) => {
      if (!stopped) subscriber.error(error);
    });

    return () => {
      stopped = true;
      job?.unsubscribe();
      clearTimeout(timer);
      wake();
      watcher?.close();
    };
  });
}
