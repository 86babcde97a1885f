/**
 * Decodes a probed input into an `Observable<Frame>`: one ffmpeg per subscription, raw frames from stdout
 * paired by index with showinfo timing from stderr, and real backpressure through a shared `Credit`.
 * Unsubscribing stops ffmpeg (SIGTERM, then SIGKILL).
 */
import { Observable } from 'rxjs';
import { frameByteLength, type Frame, type PixelFormat, type Rational } from '../frame.js';
import type { Credit } from '../pipeline/credit.js';
import { decodeArgs } from './ffmpeg-args.js';
import type { FfmpegBinary } from './ffmpeg-binary.js';
import { FfmpegError, stripLogPrefix } from './ffmpeg-error.js';
import { spawnFfmpeg, type FfmpegProcess } from './ffmpeg-process.js';
import type { FramePipe } from './frame-pipe.js';
import { FrameTimingQueue } from './frame-timing-queue.js';
import type { ProbedInput } from './open-input.js';
import { redactUrl } from './redact-url.js';
import { parseShowinfoLine } from './showinfo-parser.js';

export interface DecodeOptions {
  readonly binary: FfmpegBinary;
  /** Pixel layout of emitted frames, default 'yuv420p' (no colour conversion for H.264 sources). */
  readonly format?: PixelFormat;
  /**
   * Frames in flight between this source and the sink. The source takes one before reading each frame;
   * the sink gives it back once the frame is written. Without it the source reads as fast as ffmpeg decodes.
   */
  readonly credit?: Credit;
  /** SIGTERM → SIGKILL grace period on unsubscribe, default 5000 ms. */
  readonly killTimeoutMs?: number;
  /**
   * Called for each ffmpeg warning or error line while decoding (damaged packets, missing timestamps),
   * credentials redacted. `count` is how many the line stands for ("Last message repeated 3 times" → 3).
   */
  readonly onWarning?: (message: string, count: number) => void;
  /** Called once ffmpeg is started, with its pid and argv (for logs and tests). */
  readonly onSpawn?: (process: Pick<FfmpegProcess, 'pid' | 'argv'>) => void;
}

/** ffmpeg log levels that count as decoder warnings. */
const WARNING_LINE = /\[(warning|error|fatal|panic)\] /;
const REPEATED = /Last message repeated (\d+) times?/;

/**
 * Decodes `input`'s video stream, lossless and in order: frame count and timestamps are exactly the
 * decoder's (passthrough timing, pts in the stream time base, zero-based like the ffmpeg CLI makes them).
 * Damaged streams decode best effort and report through `onWarning`; they do not error.
 * @returns a cold Observable; each subscription runs its own ffmpeg.
 * @throws (as an Observable error) FfmpegError when ffmpeg exits non-zero, or the stream is cut inside a frame.
 * @example
 * const input = await openInput('interview.mp4', { binary });
 * decodeFrames(input, { binary }).subscribe((f) => console.log(f.index, f.pts, f.timeBase));
 * // 0 0 { num: 1, den: 12800 }   1 512 { num: 1, den: 12800 }   …   199 101888 { num: 1, den: 12800 }
 */
export function decodeFrames(input: ProbedInput, options: DecodeOptions): Observable<Frame> {
  const format = options.format ?? 'yuv420p';
  const { credit, binary } = options;
  const video = input.info.video;
  const argv = decodeArgs({ source: input.source, streamIndex: video.index, format, hasFpsMode: binary.hasFpsMode });

  return new Observable<Frame>((subscriber) => {
    let stopped = false;
    const timing = new FrameTimingQueue();
    const warn = (line: string, count: number) => options.onWarning?.(redactUrl(stripLogPrefix(line)), count);
    let previousLine = '';
    const proc = spawnFfmpeg(binary.ffmpeg, argv, {
      stdin: 'ignore',
      frames: true,
      killTimeoutMs: options.killTimeoutMs,
      onStderrLine: (line) => {
        const parsed = parseShowinfoLine(line);
        if (parsed) return timing.push(parsed);
        const repeated = REPEATED.exec(line);
        if (repeated) return WARNING_LINE.test(previousLine) ? warn(previousLine, Number(repeated[1])) : undefined;
        previousLine = line;
        if (WARNING_LINE.test(line)) warn(line, 1);
      },
    });
    options.onSpawn?.({ pid: proc.pid, argv: proc.argv });
    void proc.exited.then(() => timing.close());
    const reader = proc.stdout;
    const fail = (exit: Awaited<FfmpegProcess['exited']>, cause?: unknown) =>
      new FfmpegError(`Decoding ${input.displayName}`, 'check that the file plays in a video player, or re-encode it with ffmpeg', proc.failure(exit), { cause });

    const pump = async (): Promise<void> => {
      let previousPts: number | null = null;
      for (let index = 0; ; index++) {
        if (credit) await credit.take();
        if (stopped) {
          credit?.give();
          return;
        }
        const shown = await timing.take(index);
        const timeBase = timing.timeBase ?? video.timeBase;
        const data = shown && timeBase ? await reader.read(frameByteLength(format, shown.width, shown.height)) : await drain(reader);
        if (stopped) return;
        if (!data || !shown || !timeBase) {
          credit?.give();
          break;
        }
        const pts: number = shown.pts ?? estimatePts(previousPts, timeBase, video.frameRate);
        if (shown.pts === null) options.onWarning?.(`frame ${index} has no timestamp; using ${pts}`, 1);
        previousPts = pts;
        subscriber.next({ source: input.displayName, index, pts, timeBase, width: shown.width, height: shown.height, format, data });
      }
      const exit = await proc.exited;
      if (stopped) return;
      if (exit.code === 0) subscriber.complete();
      else subscriber.error(fail(exit));
    };

    pump().catch(async (error: unknown) => {
      if (stopped) return;
      const exit = await proc.stop();
      subscriber.error(fail(exit, error));
    });

    return () => {
      stopped = true;
      void proc.stop();
    };
  });
}

/**
 * Stdout after the last timed frame must be empty; bytes there mean stdout and showinfo disagree.
 * @throws RangeError when stdout still holds data.
 */
async function drain(reader: FramePipe): Promise<null> {
  const rest = await reader.read(1);
  if (rest) throw new RangeError('ffmpeg wrote a frame without a showinfo timing line');
  return null;
}

/** A frame without pts sits one nominal frame after the previous one (or at 0 when it is the first). */
function estimatePts(previous: number | null, timeBase: Rational, frameRate: Rational | null): number {
  if (previous === null) return 0;
  const step = frameRate ? Math.max(1, Math.round((timeBase.den * frameRate.den) / (timeBase.num * frameRate.num))) : 1;
  return previous + step;
}
