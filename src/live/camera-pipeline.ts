/**
 * One camera, top to bottom: live source (reconnecting) → live anonymize (bounded, fail closed) → gap
 * filler → live encoder → access units, with the camera's audio frames merged in as they arrive (they
 * are not processed, and their timestamps keep them in sync). Components come in built; this file wires
 * them, counts, and logs a periodic summary of drops (one line per interval, not one per frame).
 */
import { merge, Observable, retry, Subject, tap, timer, type Subscription } from 'rxjs';
import type { Anonymizer } from '../anonymize/anonymizer.js';
import { coverZones, type ZoneFill } from '../anonymize/privacy-zones.js';
import type { AudioUnit } from '../ingest/audio-unit.js';
import { isAudioUnit, type LiveSink, type LiveUnit } from '../egress/live-sink.js';
import { encodeLive } from '../egress/live-encoder.js';
import type { Rational } from '../frame.js';
import type { BackoffOptions } from '../ingest/backoff.js';
import type { FfmpegBinary } from '../ingest/ffmpeg-binary.js';
import type { LiveTransport } from '../ingest/live-input-args.js';
import type { WebcamMode } from '../ingest/webcam-mode.js';
import { CameraUnreachableError, liveSource } from '../ingest/live-source.js';
import type { FaceAnalyzers } from '../track/track-faces.js';
import { catchUp } from './catch-up.js';
import { DroppedFrames, fillGaps, TimelineShift } from './fill-gaps.js';
import { FrameRateEstimate } from './frame-rate-estimate.js';
import { describeDrop, liveAnonymize, type DropCause, type LiveAnonymizeOptions } from './live-anonymize.js';
import type { CameraMetrics } from './live-metrics.js';

export interface LivePolicy {
  readonly connectMs: number;
  readonly stallMs: number;
  readonly maxLagMs: number;
  /** Frames arriving later than this (ms) behind the camera's pace are thinned out (every other one dropped). */
  readonly catchUpLagMs: number;
  readonly backoff: BackoffOptions;
  /** null: retry forever (several cameras); a number: error after that many failed first attempts. */
  readonly startAttempts: number | null;
  readonly gapFillMs: number;
  readonly gopSeconds: number;
  readonly preset: string;
  readonly crf: number;
  readonly anonymize: Omit<LiveAnonymizeOptions, 'onDrop' | 'onAhead' | 'onCover' | 'onRecover' | 'onStage' | 'now'>;
}

export interface CameraPipelineOptions {
  readonly name: string;
  /** Source URL or device (credentials included; never logged). */
  readonly url: string;
  readonly transport: LiveTransport;
  /** Capture mode when the source is a webcam; null: the device's current mode. */
  readonly webcam: WebcamMode | null;
  /** Carry the camera's audio. */
  readonly audio: boolean;
  /** A connection came up with audio: its format and frames follow (sinks can wait for them before describing the stream). */
  readonly onAudioExpected?: () => void;
  readonly binary: FfmpegBinary;
  readonly analyzers: FaceAnalyzers;
  readonly anonymizer: Anonymizer;
  /** Privacy zones filled on every frame after anonymizing, and their colour. */
  readonly zones: ZoneFill;
  readonly policy: LivePolicy;
  readonly metrics: CameraMetrics;
  readonly log: (line: string) => void;
  /** Seconds between drop summaries, default 10. */
  readonly summarySeconds?: number;
}

/** Frame rate assumed until the camera's own is known (the input dump, or measured). */
const DEFAULT_RATE: Rational = { num: 25, den: 1 };

/** "25", "29.97", "7.5": a rate as a log line says it. */
const fps = (r: Rational): string => (r.num / r.den).toFixed(2).replace(/\.?0+$/, '');

/**
 * @returns a cold Observable of access units; it only errors with CameraUnreachableError (a camera that
 * never answered, when `startAttempts` is set). Encoder failures restart the encoder after a pause.
 */
export function cameraPipeline(o: CameraPipelineOptions): Observable<LiveUnit> {
  const p = o.policy;
  // Work in flight when the camera is stopped still settles (a detection on a disposed session fails): quiet.
  let running = true;
  const log = (line: string): void => {
    if (running) o.log(line);
  };
  let frameRate = DEFAULT_RATE;
  /** Set while the rate of a stream that did not declare one is being measured. */
  let measuring: FrameRateEstimate | null = null;
  let droppedSinceSummary = 0;
  /** Why the first frame the anonymize stage dropped since the last summary was dropped. */
  let firstDropCause: DropCause | null = null;
  let lagMs = 0;
  const m = o.metrics;
  const dropped = new DroppedFrames();
  const shift = new TimelineShift();
  const audio = new Subject<AudioUnit>();
  const frames = liveSource(o.url, {
    binary: o.binary,
    transport: o.transport,
    webcam: o.webcam,
    audio: o.audio,
    onAudio(unit) {
      m.audioFrame();
      // Moved on as the fill stage moved the picture's timeline (the shift is in the frames' 1/90000 s).
      audio.next(shift.ticks === 0 ? unit : { ...unit, pts90k: unit.pts90k + shift.ticks });
    },
    connectMs: p.connectMs,
    stallMs: p.stallMs,
    maxLagMs: p.maxLagMs,
    backoff: p.backoff,
    startAttempts: p.startAttempts,
    log,
    onState(state, why) {
      m.state(state, why);
      if (state === 'up') log('up');
    },
    onStreamInfo(info) {
      if (info.audio) o.onAudioExpected?.();
      if (info.frameRate) {
        frameRate = info.frameRate;
        measuring = null;
      } else {
        measuring = new FrameRateEstimate();
        log(`the stream does not say its frame rate; measuring it from its first frames' timestamps (${fps(frameRate)} fps until then)`);
      }
    },
    onLag(ms) {
      lagMs = ms;
      m.stage('lag', ms);
    },
  }).pipe(
    tap((frame) => {
      m.frameIn();
      const measured = measuring?.add((frame.pts * frame.timeBase.num) / frame.timeBase.den);
      if (!measured) return;
      measuring = null;
      // The encoder starts again at the new rate (its keyframe interval is in frames).
      if (fps(measured) !== fps(frameRate)) log(`the stream runs at ${fps(measured)} fps (measured); keyframes and gap filling follow it`);
      frameRate = measured;
    }),
    catchUp({
      lagMs: p.catchUpLagMs,
      currentLagMs: () => lagMs,
      onDrop() {
        m.drop('catch-up');
        droppedSinceSummary++;
      },
    }),
    liveAnonymize(o.analyzers, o.anonymizer, {
      ...p.anonymize,
      onDrop(frame, cause) {
        // Its slot gets a repeat (fill-gaps.ts); catch-up drops do not: they shed load, a repeat adds some.
        dropped.add(frame.pts);
        firstDropCause ??= cause;
        m.drop('anonymize');
        droppedSinceSummary++;
      },
      onAhead: () => m.ahead(),
      onCover(_frame, reason, first, error) {
        m.cover();
        if (!first) return;
        m.covering(reason);
        log(`covering frames black: ${reason}${error instanceof Error ? ` (${error.message})` : ''}`);
      },
      onRecover() {
        m.covering(null);
        log('anonymizing again');
      },
      onStage: (stage, ms) => m.stage(stage, ms),
    }),
    coverZones(o.zones),
    tap((frame) => {
      m.faces(frame.faces.length, new Set(frame.faces.map((f) => f.trackId)).size);
    }),
    fillGaps({ gapMs: p.gapFillMs, frameIntervalMs: () => (1000 * frameRate.den) / frameRate.num, onFill: () => m.fill(), dropped, shift, onRepeat: (n) => m.repeat(n) }),
    encodeLive({
      binary: o.binary,
      frameRate: () => frameRate,
      gopSeconds: p.gopSeconds,
      preset: p.preset,
      crf: p.crf,
      onDrop() {
        m.drop('encode');
        droppedSinceSummary++;
      },
      onEncoded: (ms) => m.stage('encode', ms),
    }),
    tap(() => m.frameOut()),
    retry({
      delay(error: unknown) {
        if (error instanceof CameraUnreachableError) throw error;
        log(`pipeline failed: ${error instanceof Error ? error.message : String(error)}; restarting in 2 s`);
        return timer(2000);
      },
    }),
  );
  const every = o.summarySeconds ?? 10;
  return new Observable<LiveUnit>((subscriber) => {
    const summary = setInterval(() => {
      if (droppedSinceSummary > 0) log(`${droppedSinceSummary} frames dropped in the last ${every} s (processing behind${firstDropCause ? `; at the first anonymize drop ${describeDrop(firstDropCause)}` : ''})`);
      droppedSinceSummary = 0;
      firstDropCause = null;
    }, every * 1000);
    const sub = merge(frames, audio).subscribe(subscriber);
    return () => {
      running = false;
      clearInterval(summary);
      sub.unsubscribe();
    };
  });
}

/** Sends every access unit and audio frame to every sink. @returns the subscription (unsubscribe stops the camera) */
export function runCamera(units: Observable<LiveUnit>, sinks: readonly LiveSink[], onError: (error: unknown) => void): Subscription {
  return units.subscribe({
    next: (unit) => sinks.forEach((s) => (isAudioUnit(unit) ? s.writeAudio(unit) : s.write(unit))),
    error: onError,
  });
}
