/**
 * The live track + anonymize stage. No look-ahead: faces come from detections on past frames, held over
 * misses by the tracker (`holdFrames`) and grown with the distance from the last detection. Bounded
 * latency: one frame is processed at a time, at most `queueFrames` wait, the oldest waiting frame is
 * dropped when another arrives. Fail closed: while the detector is late (past `detectDeadlineMs`) or
 * failing, or when any stage throws, frames leave entirely black; a raw frame never leaves.
 */
import { map, type OperatorFunction } from 'rxjs';
import type { Anonymizer } from '../anonymize/anonymizer.js';
import type { Frame } from '../frame.js';
import type { FaceFrame } from '../track/face.js';
import { observeFaces, type FaceAnalyzers } from '../track/track-faces.js';
import { TrackTimeline, type TimelineOptions } from '../track/track-timeline.js';
import { Tracker, type TrackerOptions } from '../track/tracker.js';
import { coverInPlace } from './cover-frame.js';
import { processBounded } from './process-bounded.js';

export type CoverReason = 'detector late' | 'detector failed' | 'anonymizer failed';

export interface LiveAnonymizeOptions {
  /** Run the detector on every Nth processed frame (dropped frames do not count). */
  readonly stride: number;
  readonly tracker: Partial<TrackerOptions>;
  readonly timeline: TimelineOptions;
  /** A detection not done within this (ms) covers its frame, and every frame until the detector is back. */
  readonly detectDeadlineMs: number;
  /** Frames allowed to wait while one is processed. */
  readonly queueFrames: number;
  /** Monotonic ms clock, default performance.now. */
  readonly now?: () => number;
  readonly onDrop?: (frame: Frame) => void;
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
    /** A detection past its deadline, still running; frames are covered until it settles. */
    let late: Promise<unknown> | null = null;
    /** False from a failure until the next detection succeeds: tracks alone may miss a new face. */
    let healthy = true;
    let coverReason: CoverReason | null = null;
    let sinceDetect = Infinity;

    const cover = (frame: Frame, reason: CoverReason, error?: unknown): FaceFrame => {
      options.onCover?.(frame, reason, coverReason === null, error);
      coverReason = reason;
      return coverInPlace(frame);
    };

    const detect = async (frame: Frame): Promise<'ok' | 'late' | { error: unknown }> => {
      const observation = observeFaces(analyzers, tracker, timeline, frame, time).then(
        () => 'ok' as const,
        (error: unknown) => ({ error }),
      );
      let timer: NodeJS.Timeout | undefined;
      const deadline = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), options.detectDeadlineMs)));
      const outcome = await Promise.race([observation, deadline]);
      clearTimeout(timer);
      if (outcome === 'late') late = observation.finally(() => (late = null));
      return outcome;
    };

    const processFrame = async (frame: Frame): Promise<FaceFrame> => {
      if (late) return cover(frame, 'detector late');
      if (!healthy || ++sinceDetect >= options.stride) {
        sinceDetect = 0;
        const outcome = await detect(frame);
        if (outcome === 'late') return (healthy = false), cover(frame, 'detector late');
        if (outcome !== 'ok') return (healthy = false), cover(frame, 'detector failed', outcome.error);
        healthy = true;
      }
      const faces = timeline.facesAt(frame.index);
      timeline.prune(frame.index + 1);
      const out: FaceFrame = { ...frame, faces };
      try {
        const t0 = now();
        if (faces.length > 0) await anonymizer.anonymizeInPlace(out);
        stage('anonymize', now() - t0);
      } catch (error) {
        return cover(frame, 'anonymizer failed', error);
      }
      if (coverReason !== null) {
        coverReason = null;
        options.onRecover?.(frame);
      }
      return out;
    };

    return source.pipe(
      map((frame) => ({ frame, arrived: now() })),
      processBounded(
        async ({ frame, arrived }) => {
          const out = await processFrame(frame);
          stage('total', now() - arrived);
          return out;
        },
        { capacity: options.queueFrames, onDrop: ({ frame }) => options.onDrop?.(frame) },
      ),
    );
  };
}

