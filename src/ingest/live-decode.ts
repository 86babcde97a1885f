/**
 * One connection to a live source: one ffmpeg, frames read as fast as they are decoded (no credit: a live
 * source is never paused), each paired with its showinfo timing. Completes when the source ends, errors
 * when ffmpeg fails; reconnecting is the supervisor's job (live-source.ts). Unsubscribing stops ffmpeg.
 */
import { Observable } from 'rxjs';
import { frameByteLength, type Frame, type Rational } from '../frame.js';
import { framePool } from '../frame-pool.js';
import { FlvAudioReader, type FlvAudioFrame } from './flv-audio-reader.js';
import type { FfmpegBinary } from './ffmpeg-binary.js';
import { FfmpegError, inputReadFailed, stripLogPrefix } from './ffmpeg-error.js';
import { spawnFfmpeg } from './ffmpeg-process.js';
import { mediaInfoFromFfmpegStderr } from './ffmpeg-stderr-probe.js';
import { FrameTimingQueue } from './frame-timing-queue.js';
import { AUDIO_TS_OFFSET_MS, liveDecodeArgs, type LiveAudio, type LiveProbe, type LiveTransport } from './live-input-args.js';
import { redactUrl } from './redact-url.js';
import { parseShowinfoLine } from './showinfo-parser.js';
import type { WebcamMode } from './webcam-mode.js';

/** What the input dump says about the camera's video, reported once before the first frame. */
export interface LiveStreamInfo {
  readonly codec: string;
  /** Nominal frame rate (tbr), null when the dump gives none or only a stand-in (see plausibleFrameRate in media-info). */
  readonly frameRate: Rational | null;
  /** Audio frames will follow (to onAudio): the connection carries the camera's audio. */
  readonly audio: boolean;
}

export interface LiveDecodeOptions {
  readonly binary: FfmpegBinary;
  readonly transport: LiveTransport;
  /** Default quick (see LiveProbe). */
  readonly probe?: LiveProbe;
  /** SIGTERM → SIGKILL grace period on unsubscribe, default 5000 ms. */
  readonly killTimeoutMs?: number;
  readonly onStreamInfo?: (info: LiveStreamInfo) => void;
  /** Default none (see LiveAudio). */
  readonly audio?: LiveAudio;
  /** Each audio frame as it arrives, stamped in ms on the same clock as the frames' pts. */
  readonly onAudio?: (frame: FlvAudioFrame) => void;
  /** The mode a webcam (/dev/videoN) captures in; null or absent: the device's current mode. */
  readonly webcam?: WebcamMode | null;
}

/** Stderr lines kept until the input dump is parsed (it is printed before the first frame). */
const DUMP_LINES = 200;

/**
 * @param source URL or capture device exactly as ffmpeg opens it (credentials included; never logged)
 * @returns a cold Observable of yuv420p frames with the camera's pts and time base
 * @throws (as an Observable error) FfmpegError when ffmpeg fails (refused, 401, no video, died)
 */
export function liveDecode(source: string, options: LiveDecodeOptions): Observable<Frame> {
  const displayName = redactUrl(source);
  const audio = options.audio ?? 'none';
  const argv = liveDecodeArgs(source, options.transport, options.probe ?? 'quick', options.binary.hasFpsMode, audio, options.webcam ?? null);
  return new Observable<Frame>((subscriber) => {
    let stopped = false;
    const timing = new FrameTimingQueue();
    let dump: string[] | null = [];
    const proc = spawnFfmpeg(options.binary.ffmpeg, argv, {
      stdin: 'ignore',
      killTimeoutMs: options.killTimeoutMs,
      sidePipe: audio !== 'none',
      frames: true,
      onStderrLine(line) {
        const parsed = parseShowinfoLine(line);
        if (parsed?.kind === 'frame' && dump) {
          const info = mediaInfoFromFfmpegStderr(dump.join('\n'));
          const video = info?.video;
          dump = null;
          const hasAudio = audio !== 'none' && (info?.streams.some((s) => s.kind === 'audio') ?? false);
          options.onStreamInfo?.({ codec: video?.codec ?? 'unknown', frameRate: video?.frameRate ?? null, audio: hasAudio });
        }
        if (parsed) return timing.push(parsed);
        if (dump && dump.length < DUMP_LINES) dump.push(stripLogPrefix(line));
      },
    });
    void proc.exited.then(() => timing.close());
    const reader = proc.stdout;
    const audioReader = new FlvAudioReader();
    proc.side?.on('error', () => {});
    proc.side?.on('data', (chunk: Buffer) => {
      if (stopped) return;
      let frames: FlvAudioFrame[];
      try {
        frames = audioReader.push(chunk);
      } catch (error) {
        // An audio codec nullcam cannot packetize (UnsupportedAudioError): the supervisor reconnects re-encoding it.
        stopped = true;
        void proc.stop();
        return subscriber.error(error);
      }
      for (const frame of frames) options.onAudio?.({ ...frame, ms: frame.ms - AUDIO_TS_OFFSET_MS });
    });

    const pump = async (): Promise<void> => {
      for (let index = 0; !stopped; index++) {
        const shown = await timing.take(index);
        const timeBase = timing.timeBase;
        if (!shown || !timeBase) break;
        // From the pool: the live stages hold and release frames (frame-pool.ts), so buffers are reused.
        const data = await reader.read(frameByteLength('yuv420p', shown.width, shown.height), (size) => framePool.take(size));
        if (stopped || !data) break;
        // A frame without pts (rare on live streams) takes the previous one's; the supervisor keeps output pts increasing.
        subscriber.next({ source: displayName, index, pts: shown.pts ?? -1, timeBase, width: shown.width, height: shown.height, format: 'yuv420p', data });
      }
      const exit = await proc.exited;
      if (stopped) return;
      const failure = proc.failure(exit);
      if (exit.code === 0 && !inputReadFailed(failure.stderrTail, source)) subscriber.complete();
      else subscriber.error(new FfmpegError(`Reading ${displayName}`, 'check the URL, the credentials and that the camera is reachable', failure));
    };
    pump().catch(async (error: unknown) => {
      if (stopped) return;
      const exit = await proc.stop();
      subscriber.error(new FfmpegError(`Reading ${displayName}`, 'check that the camera sends video', proc.failure(exit), { cause: error }));
    });
    return () => {
      stopped = true;
      void proc.stop();
    };
  });
}
