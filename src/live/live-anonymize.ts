/**
 * The live track + anonymize stage. No look-ahead: faces come from detections on past frames, held over
 * misses by the tracker (`holdFrames`) and grown with the distance from the last detection. Bounded
 * latency: one frame is processed at a time, at most `queueFrames` wait, the oldest waiting frame is
 * dropped when another arrives. A detection runs beside the frames: its frame waits for it only until a
 * newer frame is waiting, so a slow detector run (a busy CPU) delays what the tracks know by a few frames
 * (`aheadFrames`) instead of dropping frames. Fail closed: while the detector is late (past `detectDeadlineMs`) or
 * failing, or when any stage throws, frames leave entirely black; a raw frame never leaves.
 * A frame that leaves while its own detection still runs leaves with a copy of its pixels: the detector
 * samples tile after tile, and the embedder and landmarker come after it, so anonymizing (or covering)
 * in place would hide the very faces they look for, and a tracked face missed often enough is lost.
 */
import { map, type OperatorFunction } from 'rxjs';
import type { Anonymizer } from '../anonymize/anonymizer.js';
import type { Frame } from '../frame.js';
import { framePool } from '../frame-pool.js';
import type { FaceFrame } from '../track/face.js';
import { observeFaces, type FaceAnalyzers } from '../track/track-faces.js';
import { TrackTimeline, type TimelineOptions } from '../track/track-timeline.js';
import { Tracker, type TrackerOptions } from '../track/tracker.js';
import { coverInPlace } from './cover-frame.js';
import { processBounded, type Behind } from './process-bounded.js';

type Outcome = 'ok' | { readonly error: unknown };

export type CoverReason = 'detector late' | 'detector failed' | 'anonymizer failed';

/** What the stage was doing when a frame was dropped: says whether a slow stage or a burst of arrivals did it. */
export interface DropCause {
  /** How long the frame in process had been in the stage (arrival to now), ms. */
  readonly busyMs: number;
  /** How long that frame had waited for its detection, ms; null: it was past that (anonymizing). */
  readonly detectionWaitMs: number | null;
  /** How long the running detection had run, ms; null: none running. */
  readonly detectionAgeMs: number | null;
  /** Frames that had gone ahead of the running detection; null: none running. */
  readonly aheadFrames: number | null;
  /** From the dropped frame's arrival to the one that pushed it out, ms (frames queued this fast came in a burst). */
  readonly arrivalSpanMs: number;
  /** Frames that had arrived over that span, the dropped one included. */
  readonly arrivals: number;
}

/** "the frame in process had been 80 ms in the stage, 80 of them waiting for a detection that had run 120 ms (1 frame had gone ahead); 2 frames arrived in 40 ms" */
export function describeDrop(c: DropCause): string {
  const r = Math.round;
  const ahead = c.aheadFrames ? ` (${c.aheadFrames} frame${c.aheadFrames === 1 ? '' : 's'} had gone ahead)` : '';
  const what = c.detectionWaitMs === null ? 'anonymizing' : `${r(c.detectionWaitMs)} of them waiting for a detection that had run ${r(c.detectionAgeMs ?? 0)} ms${ahead}`;
  const burst = c.arrivals > 1 ? `; ${c.arrivals} frames arrived in ${r(c.arrivalSpanMs)} ms` : '';
  return `the frame in process had been ${r(c.busyMs)} ms in the stage, ${what}${burst}`;
}

export interface LiveAnonymizeOptions {
  /** Run the detector on every Nth processed frame (dropped frames do not count). */
  readonly stride: number;
  readonly tracker: Partial<TrackerOptions>;
  readonly timeline: TimelineOptions;
  /** A detection not done within this (ms) covers its frame, and every frame until the detector is back. */
  readonly detectDeadlineMs: number;
  /**
   * Frames that may leave anonymized from the tracks alone while a slow detection still runs (a newer
   * frame is waiting); beyond that, frames wait for it and newer ones are dropped. 0: always wait.
   */
  readonly aheadFrames: number;
  /** Frames allowed to wait while one is processed. */
  readonly queueFrames: number;
  /** Monotonic ms clock, default performance.now. */
  readonly now?: () => number;
  readonly onDrop?: (frame: Frame, cause: DropCause) => void;
  /** Every frame that left on the tracks' predictions while its own detection still ran. */
  readonly onAhead?: (frame: Frame) => void;
  /** Every frame that left black, and why; `first` is true for the first frame of an outage (log that one). */
  readonly onCover?: (frame: Frame, reason: CoverReason, first: boolean, error?: unknown) => void;
  /** The first frame anonymized normally after frames were covered. */
  readonly onRecover?: (frame: Frame) => void;
  /** Wall ms per stage: 'detect', 'embed', 'landmarks', 'anonymize', and 'total' (arrival to departure). */
  readonly onStage?: (stage: string, ms: number) => void;
}

/**
 * @returns an operator emitting processed frames in order (fewer than it receives when it falls behind)
 */
export function liveAnonymize(analyzers: FaceAnalyzers, anonymizer: Anonymizer, options: LiveAnonymizeOptions): OperatorFunction<Frame, FaceFrame> {
  const now = options.now ?? (() => performance.now());
  const stage = (name: string, ms: number) => options.onStage?.(name, ms);
  const time = async <T>(name: string, fn: () => Promise<T>): Promise<T> => {
    const t0 = now();
    try {
      return await fn();
    } finally {
      stage(name, now() - t0);
    }
  };

  return (source) => {
    const tracker = new Tracker(options.tracker);
    const timeline = new TrackTimeline(options.timeline);
    /**
     * The detection in progress, if any. A frame waits for its own detection only while no newer frame is
     * waiting; then it leaves with the tracks' predictions, and so do up to `aheadFrames` frames after it
     * while the detection goes on (instead of blocking the stage and dropping frames).
     */
    let running: { readonly frame: Frame; readonly settled: Promise<Outcome>; readonly started: number; readonly deadline: number; ahead: number } | null = null;
    /** The frame in process: when it arrived, and since when it waits for its detection (null: not waiting). */
    let inProcess: { readonly arrived: number; detectionSince: number | null } | null = null;
    /** False until a detection succeeded, and from a failure until the next one does: tracks alone may miss a face. */
    let healthy = false;
    let coverReason: CoverReason | null = null;
    let sinceDetect = Infinity;

    /** The pixels a frame may leave with: its own, or a copy while its detection still reads them. */
    const ownPixels = (frame: Frame): Frame => {
      if (running?.frame !== frame) return frame;
      const data = framePool.take(frame.data.length);
      frame.data.copy(data);
      return { ...frame, data };
    };

    const cover = (frame: Frame, reason: CoverReason, error?: unknown): FaceFrame => {
      options.onCover?.(frame, reason, coverReason === null, error);
      coverReason = reason;
      return coverInPlace(ownPixels(frame));
    };

    const startDetection = (frame: Frame): NonNullable<typeof running> => {
      // The detection reads the frame until it settles, whenever the frame itself leaves.
      framePool.hold(frame.data);
      const settled = observeFaces(analyzers, tracker, timeline, frame, time).then(
        () => 'ok' as const,
        (error: unknown) => ({ error }),
      );
      const started = now();
      const detection = { frame, settled, started, deadline: started + options.detectDeadlineMs, ahead: 0 };
      // Settling after its frames went ahead: a failure makes the next frame wait for a fresh detection.
      void settled.then((outcome) => {
        framePool.release(frame.data);
        if (running === detection) running = null;
        if (outcome !== 'ok') healthy = false;
      });
      return detection;
    };

    /** Waits for the running detection until it settles, its deadline passes, or (when given) `newer` resolves. */
    const awaitDetection = async (detection: NonNullable<typeof running>, newer?: Promise<void>): Promise<Outcome | 'late' | 'newer'> => {
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), Math.max(0, detection.deadline - now()))));
      const outcome = await Promise.race([detection.settled, late, ...(newer ? [newer.then(() => 'newer' as const)] : [])]);
      clearTimeout(timer);
      return outcome;
    };

    const processFrame = async (frame: Frame, behind: Behind): Promise<FaceFrame> => {
      sinceDetect++;
      if (!running && (!healthy || sinceDetect >= options.stride)) {
        sinceDetect = 0;
        running = startDetection(frame);
      }
      if (running) {
        const detection = running;
        const mayGoAhead = healthy && detection.ahead < options.aheadFrames;
        if (inProcess) inProcess.detectionSince = now();
        const outcome = await awaitDetection(detection, mayGoAhead ? behind.newer : undefined);
        if (inProcess) inProcess.detectionSince = null;
        if (outcome === 'newer') {
          detection.ahead++;
          options.onAhead?.(frame);
        } else if (outcome === 'late') return (healthy = false), cover(frame, 'detector late');
        else if (outcome !== 'ok') return (healthy = false), cover(frame, 'detector failed', outcome.error);
        else healthy = true;
      }
      const faces = timeline.facesAt(frame.index);
      timeline.prune(frame.index + 1);
      const out: FaceFrame = { ...ownPixels(frame), faces };
      try {
        const t0 = now();
        if (faces.length > 0) await anonymizer.anonymizeInPlace(out);
        stage('anonymize', now() - t0);
      } catch (error) {
        return cover(out, 'anonymizer failed', error);
      }
      if (coverReason !== null) {
        coverReason = null;
        options.onRecover?.(frame);
      }
      return out;
    };

    const dropCause = (droppedArrival: number): DropCause => {
      const t = now();
      return {
        busyMs: inProcess ? t - inProcess.arrived : 0,
        detectionWaitMs: inProcess?.detectionSince != null ? t - inProcess.detectionSince : null,
        detectionAgeMs: running ? t - running.started : null,
        aheadFrames: running ? running.ahead : null,
        arrivalSpanMs: t - droppedArrival,
        arrivals: options.queueFrames + 1,
      };
    };

    return source.pipe(
      map((frame) => {
        // Held while it waits and while it is processed (frame-pool.ts).
        framePool.hold(frame.data);
        return { frame, arrived: now() };
      }),
      processBounded(
        async ({ frame, arrived }, behind) => {
          inProcess = { arrived, detectionSince: null };
          try {
            return await processFrame(frame, behind);
          } finally {
            inProcess = null;
            stage('total', now() - arrived);
          }
        },
        {
          capacity: options.queueFrames,
          onDrop({ frame, arrived }) {
            options.onDrop?.(frame, dropCause(arrived));
            framePool.release(frame.data);
          },
          onDone: ({ frame }) => framePool.release(frame.data),
        },
      ),
    );
  };
}

