/**
 * A live camera as one endless `Observable<Frame>`: a supervisor around single connections (live-decode.ts).
 * A connection that fails, ends, sends nothing within `connectMs`, or stalls for `stallMs` is torn down and
 * retried after an exponential, capped back-off. Frames leave on one timeline (pts in 1/90000, indices
 * counting on across reconnects), and every outage is one log line saying why, with credentials redacted.
 */
import { concatWith, defer, map, Observable, retry, throwError, timeout, timer } from 'rxjs';
import { NullcamError } from '../errors.js';
import type { AudioUnit } from './audio-unit.js';
import type { Frame, Rational } from '../frame.js';
import { AudioTimeline } from './audio-timeline.js';
import { backoffDelay, type BackoffOptions } from './backoff.js';
import type { FfmpegBinary } from './ffmpeg-binary.js';
import { FfmpegError, lastReason } from './ffmpeg-error.js';
import { UnsupportedAudioError } from './flv-audio-reader.js';
import { liveDecode, type LiveDecodeOptions, type LiveStreamInfo } from './live-decode.js';
import { AUDIO_NOT_COPYABLE, initialLiveAudio, isCaptureDevice, NO_AUDIO_STREAM, PROBE_TOO_SHORT, type LiveAudio, type LiveProbe, type LiveTransport } from './live-input-args.js';
import { PTS_TIME_BASE, PtsContinuity } from './pts-continuity.js';
import { redactUrl } from './redact-url.js';
import { webcamModeMismatch, type WebcamMode } from './webcam-mode.js';

export type LiveSourceState = 'connecting' | 'up' | 'down';

export interface LiveSourceOptions {
  readonly binary: FfmpegBinary;
  readonly transport: LiveTransport;
  /** The mode a webcam (/dev/videoN) captures in; null or absent: the device's current mode. */
  readonly webcam?: WebcamMode | null;
  /** The first frame of a connection must arrive within this, ms (covers connect, auth, first keyframe). */
  readonly connectMs: number;
  /** A connection without a frame for this long is restarted, ms. */
  readonly stallMs: number;
  /**
   * A connection whose frames fall this far behind real time is restarted, ms: when decoding cannot keep up
   * (CPU starved), frames back up in socket buffers and latency would grow without bound; a reconnect
   * drops the backlog. Measured against the best lag the connection had (the probe backlog is not lag).
   */
  readonly maxLagMs: number;
  readonly backoff: BackoffOptions;
  /** Failed attempts, before any frame was ever received, after which the source errors; null: retry forever. */
  readonly startAttempts: number | null;
  /** One line per outage ("down: <why>; reconnecting in 2 s"). */
  readonly log: (line: string) => void;
  readonly onState?: (state: LiveSourceState, reason?: string) => void;
  readonly onStreamInfo?: (info: LiveStreamInfo) => void;
  /** Carry the camera's audio (default false): each frame goes to `onAudio`, on the frames' timeline. */
  readonly audio?: boolean;
  readonly onAudio?: (unit: AudioUnit) => void;
  /** Per frame: how far (ms) it arrived behind the best pace of its connection (see `maxLagMs`). */
  readonly onLag?: (ms: number) => void;
  /** Monotonic ms clock, default performance.now. */
  readonly now?: () => number;
  /** One connection; default liveDecode (tests pass fakes). */
  readonly connect?: (source: string, options: LiveDecodeOptions) => Observable<Frame>;
}

const MS: Rational = { num: 1, den: 1000 };

/** A camera that never delivered a frame in `startAttempts` attempts. */
export class CameraUnreachableError extends NullcamError {}

/** Why a connection ended, short and without credentials. */
class SourceDown extends Error {}

/**
 * @param source camera URL or capture device, credentials included (never logged)
 * @returns a cold Observable that only ends by error (after `startAttempts` failed attempts without any frame)
 * @throws (as an Observable error) NullcamError with one line naming the source and the last reason
 */
export function liveSource(source: string, options: LiveSourceOptions): Observable<Frame> {
  const shown = redactUrl(source);
  const now = options.now ?? (() => performance.now());
  const connect = options.connect ?? liveDecode;
  return defer(() => {
    const continuity = new PtsContinuity();
    const started = now();
    let index = 0;
    let everUp = false;
    let failures = 0;
    let probe: LiveProbe = 'quick';
    let audio: LiveAudio = options.audio ? initialLiveAudio(source) : 'none';
    const audioTimeline = new AudioTimeline();
    let webcamChecked = !isCaptureDevice(source) || !options.webcam;

    const attempt = defer(() => {
      continuity.reconnect();
      options.onState?.('connecting');
      let seen = false;
      let first: { wallMs: number; pts: number } | null = null;
      let bestLagMs = 0;
      let previousPts = 0;
      let rate: Rational | null = null;
      const decodeOptions: LiveDecodeOptions = {
        binary: options.binary,
        transport: options.transport,
        webcam: options.webcam,
        probe,
        audio,
        onAudio(frame) {
          const pts = continuity.follow(frame.ms, MS);
          const placed = pts === null ? null : audioTimeline.place(pts, frame.samples, frame.format.sampleRate, continuity.latest);
          if (placed !== null) options.onAudio?.({ format: frame.format, data: frame.data, pts90k: placed, samples: frame.samples });
        },
        onStreamInfo(info) {
          rate = info.frameRate;
          if (info.frameRate) continuity.nominalFrameTicks = (90_000 * info.frameRate.den) / info.frameRate.num;
          options.onStreamInfo?.(info);
        },
      };
      return connect(source, decodeOptions).pipe(
        timeout({
          first: options.connectMs,
          each: options.stallMs,
          with: () => throwError(() => new SourceDown(seen ? `no frame for ${options.stallMs / 1000} s (stalled)` : `no video within ${options.connectMs / 1000} s`)),
        }),
        // A live stream that ends (camera reboot, server teardown) is an outage like any other.
        concatWith(throwError(() => new SourceDown('the stream ended'))),
        map((frame): Frame => {
          if (!seen) {
            seen = everUp = true;
            failures = 0;
            options.onState?.('up');
            if (!webcamChecked) {
              webcamChecked = true;
              const mismatch = webcamModeMismatch(options.webcam ?? null, frame.width, frame.height, rate);
              if (mismatch) options.log(`the webcam captures ${mismatch} (live.webcam; its modes: ffmpeg -f v4l2 -list_formats all -i ${source})`);
            }
          }
          const wallMs = now();
          const ms = (pts: number) => (pts * 1000 * frame.timeBase.num) / frame.timeBase.den;
          // A jump in the camera's clock (back, or ahead by more than a second: a restarted or re-seeked
          // stream) is not lag: measure from here on.
          if (!first || frame.pts < previousPts || ms(frame.pts - previousPts) > 1000) {
            first = { wallMs, pts: frame.pts };
            bestLagMs = 0;
          }
          previousPts = frame.pts;
          const lagMs = wallMs - first.wallMs - ms(frame.pts - first.pts);
          bestLagMs = Math.min(bestLagMs, lagMs);
          options.onLag?.(lagMs - bestLagMs);
          if (lagMs - bestLagMs > options.maxLagMs) throw new SourceDown(`fell ${((lagMs - bestLagMs) / 1000).toFixed(1)} s behind real time (CPU too busy?)`);
          return { ...frame, index: index++, pts: continuity.map(frame.pts, frame.timeBase, now() - started), timeBase: PTS_TIME_BASE };
        }),
      );
    });

    return attempt.pipe(
      retry({
        delay: (error: unknown) => {
          // Not outages: what the first connection learns about the stream changes how to read it, from now on.
          const said = (pattern: RegExp) => error instanceof FfmpegError && error.stderrTail.some((line) => pattern.test(line));
          if (audio !== 'none' && said(NO_AUDIO_STREAM)) {
            audio = 'none';
            options.log('the camera sends no audio; serving video only');
            return timer(0);
          }
          if (audio === 'copy' && (error instanceof UnsupportedAudioError || said(AUDIO_NOT_COPYABLE))) {
            audio = 'aac';
            options.log(`the camera's audio${error instanceof UnsupportedAudioError ? ` (${error.codec})` : ''} cannot be carried as it is; re-encoding it to AAC`);
            return timer(0);
          }
          if (probe === 'quick' && said(PROBE_TOO_SHORT)) {
            // The stream's parameters come later than its first bytes. Probe in full.
            probe = 'full';
            options.log('the stream\'s first bytes do not say its parameters; probing it in full (one to five seconds of start-up delay)');
            return timer(0);
          }
          failures++;
          const why = reasonOf(error, shown);
          options.onState?.('down', why);
          if (!everUp && options.startAttempts !== null && failures >= options.startAttempts) {
            throw new CameraUnreachableError(`Cannot read ${shown}: ${why} (${failures} attempt${failures === 1 ? '' : 's'}); check ${whatToCheck(source, why, options.webcam?.format)}.`, 1, { cause: error });
          }
          const ms = backoffDelay(failures, options.backoff);
          options.log(`${everUp ? 'down' : 'not reachable'}: ${why}; reconnecting in ${ms / 1000} s (attempt ${failures})`);
          return timer(ms);
        },
      }),
    );
  });
}

/** What a user should look at when a camera never came up, given why. */
function whatToCheck(source: string, why: string, webcamFormat: string | null | undefined): string {
  if (!isCaptureDevice(source)) return 'the URL, the credentials and that the camera is reachable';
  // A webcam streams to one program at a time; the others get EBUSY.
  if (/resource busy/i.test(why)) return `that no other program is using it (fuser -v ${source} names them)`;
  return [
    'that the device exists (ls /dev/video*)',
    'that this user may read it (group video)',
    ...(webcamFormat ? [`that it offers ${webcamFormat} (ffmpeg -f v4l2 -list_formats all -i ${source})`] : []),
  ]
    .join(', ')
    .replace(/, (?!.*, )/, ' and ');
}

/** The cause in a few words: ffmpeg's last specific stderr line, without the URL it echoes. */
function reasonOf(error: unknown, shown: string): string {
  if (error instanceof FfmpegError) {
    const reason = lastReason(error.stderrTail).replace(`${shown}: `, '');
    return reason || (error.signal ? `ffmpeg killed by ${error.signal}` : `ffmpeg exited with code ${error.code}`);
  }
  if (error instanceof SourceDown) return error.message;
  return redactUrl(error instanceof Error ? error.message : String(error));
}
