/**
 * The track stage: detect faces every `stride` frames, associate them into tracks, and hold frames for a
 * look-ahead window so every frame leaves with the boxes of all tracks that cover it, detected or filled in.
 */
import { concatMap, Observable, type OperatorFunction } from 'rxjs';
import type { Frame } from '../frame.js';
import type { StageTimer } from '../pipeline/stage-timer.js';
import type { Detection, FaceFrame } from './face.js';
import { iou, type Box } from './geometry.js';
import { TrackTimeline, type TimelineOptions } from './track-timeline.js';
import { Tracker, type TrackerOptions } from './tracker.js';

/** The models the stage calls; each may be absent where the mode does not need it. */
export interface FaceAnalyzers {
  /** @param hints boxes where faces are expected (live tracks' predictions), looked at closely */
  detect(frame: Frame, hints?: readonly Box[]): Promise<Detection[]>;
  /** 468 facemesh points (x,y,z) in frame pixels, or undefined when no face is found in the box. */
  landmarks?(frame: Frame, detection: Detection): Promise<Float32Array | undefined>;
  /** L2-normalized identity embedding, for re-identifying a face after occlusion. */
  embed?(frame: Frame, detection: Detection): Promise<Float32Array | undefined>;
}

/** Detector score under which a new face is not embedded for re-identification. */
const REID_MIN_SCORE = 0.5;

export interface TrackFacesOptions {
  /** Run the detector on every `stride`-th frame; frames between are covered by interpolation. */
  readonly stride: number;
  /** Frames held back so detections after a frame can still cover it (look-ahead), >= stride. */
  readonly lookahead: number;
  readonly tracker: Partial<TrackerOptions>;
  readonly timeline: TimelineOptions;
}

/**
 * @returns an operator that emits every input frame, in order, `lookahead` frames later, with `faces`.
 * Holds at most `lookahead + 1` frames; the caller's Credit must allow more than that in flight.
 */
export function trackFaces(analyzers: FaceAnalyzers, options: TrackFacesOptions, timer?: StageTimer): OperatorFunction<Frame, FaceFrame> {
  const time = <T>(stage: string, fn: () => Promise<T>): Promise<T> => (timer ? timer.time(stage, fn) : fn());
  return (source) =>
    new Observable<FaceFrame>((subscriber) => {
      const tracker = new Tracker(options.tracker);
      const timeline = new TrackTimeline(options.timeline);
      const held: Frame[] = [];

      const release = (keep: number): void => {
        while (held.length > keep) {
          const frame = held.shift()!;
          const faces = timeline.facesAt(frame.index);
          timeline.prune(frame.index + 1);
          subscriber.next({ ...frame, faces });
        }
      };

      const sub = source
        .pipe(
          concatMap(async (frame) => {
            if (frame.index % options.stride === 0) await observeFaces(analyzers, tracker, timeline, frame, time);
            return frame;
          }),
        )
        .subscribe({
          next(frame) {
            held.push(frame);
            release(options.lookahead);
          },
          error(err) {
            subscriber.error(err);
          },
          complete() {
            release(0);
            subscriber.complete();
          },
        });
      return () => sub.unsubscribe();
    });
}

/**
 * One detector run: detections on `frame` (the tracker's predictions as hints), their track ids (embedding
 * newcomers for re-identification), landmarks when the mode wants them, all recorded in `timeline`; tracks
 * the tracker rejects as false positives are cut short there. Shared by the file and the live stage.
 * @param time wraps each model call to account its wall time per stage
 */
export async function observeFaces(
  analyzers: FaceAnalyzers,
  tracker: Tracker,
  timeline: TrackTimeline,
  frame: Frame,
  time: <T>(stage: string, fn: () => Promise<T>) => Promise<T>,
): Promise<void> {
  const hints = tracker.tracks.map((t) => Tracker.predict(t, frame.index));
  const detections = await time('detect', () => analyzers.detect(frame, hints));
  const embeddings = analyzers.embed ? await time('embed', () => embedNewcomers(analyzers, hints, frame, detections)) : [];
  const { trackIds, rejected } = tracker.update(frame.index, detections, embeddings);
  for (const id of rejected) timeline.reject(id, frame.index);
  const landmarks = analyzers.landmarks ? await time('landmarks', () => Promise.all(detections.map((d) => analyzers.landmarks!(frame, d)))) : [];
  detections.forEach((d, i) => {
    const points = landmarks[i];
    timeline.observe(trackIds[i], { frame: frame.index, box: d.box, score: d.score, ...(points ? { landmarks: points } : {}) });
  });
}

/**
 * Embeds only confident detections that overlap no live track: the ones that may be a lost face coming
 * back. Low scores are mostly background false positives, and re-identification only matters for faces.
 */
async function embedNewcomers(analyzers: FaceAnalyzers, predicted: readonly Box[], frame: Frame, detections: readonly Detection[]): Promise<Array<Float32Array | undefined>> {
  return Promise.all(
    detections.map((d) => (d.score < REID_MIN_SCORE || predicted.some((p) => iou(p, d.box) > 0.1) ? undefined : analyzers.embed!(frame, d))),
  );
}
