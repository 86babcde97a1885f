/**
 * The pipeline's sink: `frames$.pipe(...stages, encodeTo({...}))` writes every frame through ffmpeg into
 * an mp4/mkv/mov, copies the original's audio (and what else the container allows), and emits one
 * summary when the file is in place. Frames reach ffmpeg inside a Matroska stream that carries each
 * frame's timestamp, so frame count, timing and VFR survive exactly.
 */
import { Observable, type OperatorFunction, type Subscription } from 'rxjs';
import { NullcamError } from '../errors.js';
import type { Frame, PixelFormat, Rational } from '../frame.js';
import type { FfmpegBinary } from '../ingest/ffmpeg-binary.js';
import { FfmpegError } from '../ingest/ffmpeg-error.js';
import { spawnFfmpeg, type FfmpegProcess } from '../ingest/ffmpeg-process.js';
import type { ColorTags } from '../ingest/media-info.js';
import type { ProbedInput } from '../ingest/open-input.js';
import type { Credit } from '../pipeline/credit.js';
import { encodeArgs } from './encode-args.js';
import { checkFrameSize, resolveVideoEncoding, type VideoEncodingOptions } from './encode-options.js';
import { matroskaFrameHeader, matroskaHeader } from './matroska-writer.js';
import { containerFor, reserveTempOutput, type TempOutput } from './output-file.js';
import { planStreams, type DroppedStream, type PlannedStream } from './stream-plan.js';

export interface EncodeOptions {
  readonly binary: FfmpegBinary;
  /** Destination; .mp4/.m4v, .mov or .mkv picks the container. */
  readonly output: string;
  /** The probed original: its audio, subtitles and colour tags are carried over. Omit for video-only output. */
  readonly original?: ProbedInput;
  readonly video?: VideoEncodingOptions;
  /**
   * Nominal frame rate; gives each frame (the last one included) a duration, so the output's duration and
   * average frame rate match the source. Default: the original's; omitted when unknown.
   */
  readonly frameRate?: Rational | null;
  /** Colour tags written to the output; default: the original's. */
  readonly color?: ColorTags;
  /** The Credit shared with the source: given back once a frame is handed to ffmpeg's stdin. */
  readonly credit?: Credit;
  /** Replace an existing output file; default false (refused before any work). */
  readonly overwrite?: boolean;
  /** SIGTERM → SIGKILL grace period on unsubscribe, default 5000 ms. */
  readonly killTimeoutMs?: number;
  /** Called once ffmpeg is started, with its pid and argv (for logs and tests). */
  readonly onSpawn?: (process: Pick<FfmpegProcess, 'pid' | 'argv'>) => void;
  /** A file that belongs with the output (recovery data): put in place just before it, removed if it is not. */
  readonly companion?: CompanionFile;
}

/** A file committed together with the output. */
export interface CompanionFile {
  /** @param video the finished video, still under its temp name */
  commit(video: string): Promise<void>;
  /** Removes it: the temp file before commit, the committed file after. Safe to call twice. */
  discard(): Promise<void>;
}

export interface EncodeSummary {
  /** Absolute path of the finished file. */
  readonly output: string;
  readonly frames: number;
  /** The encoder's argv (temp path as output). */
  readonly argv: readonly string[];
  /** Streams taken from the original, with copy or re-encode. */
  readonly kept: readonly PlannedStream[];
  /** Streams of the original left out, with why. */
  readonly dropped: readonly DroppedStream[];
  readonly durationMs: number;
}

interface StreamShape {
  readonly format: PixelFormat;
  readonly width: number;
  readonly height: number;
  readonly timeBase: Rational;
  /** Subtracted from every µs timestamp so the Matroska stream starts at ≥ 0. */
  readonly baseUs: number;
}

/** What an output keeps of `input`: everything (audio, subtitles, tags), or, without audio, its frame rate and colour tags. */
export function carryOver(input: ProbedInput, audio: boolean): Pick<EncodeOptions, 'original' | 'frameRate' | 'color'> {
  // Without the original, no stream but ours is muxed: that is how audio is dropped.
  return audio ? { original: input } : { frameRate: input.info.video.frameRate, color: input.info.video.color };
}

/**
 * Encodes the frames into `options.output` and emits one EncodeSummary once the file is renamed into place.
 * Output checks (extension, existing file, writable directory) run at subscription, before the upstream is
 * subscribed; nothing decodes if they fail. On error or unsubscribe ffmpeg is stopped and the temp file removed.
 * @throws NullcamError (synchronously) for invalid video options or an unsupported extension.
 * @example
 * const input = await openInput('in.mp4', { binary });
 * const credit = new Credit(4);
 * const summary = await lastValueFrom(decodeFrames(input, { binary, credit }).pipe(encodeTo({ binary, output: 'out.mp4', original: input, credit })));
 * // { output: '/abs/out.mp4', frames: 200, kept: [{ stream: { index: 1, kind: 'audio', codec: 'aac', … }, action: { kind: 'copy' } }], dropped: [], … }
 */
export function encodeTo(options: EncodeOptions): OperatorFunction<Frame, EncodeSummary> {
  const video = resolveVideoEncoding(options.video);
  const container = containerFor(options.output);
  const original = options.original;
  const plan = original ? planStreams(original.info.streams, container, original.info.video.index) : { kept: [], dropped: [] };
  const frameRate = options.frameRate === undefined ? (original?.info.video.frameRate ?? null) : options.frameRate;
  const color = options.color ?? original?.info.video.color ?? {};
  const { binary, credit } = options;

  return (frames) =>
    new Observable<EncodeSummary>((subscriber) => {
      const started = Date.now();
      let closed = false;
      let done = false;
      let ending = false;
      let temp: TempOutput | null = null;
      let proc: FfmpegProcess | null = null;
      let upstream: Subscription | null = null;
      let shape: StreamShape | null = null;
      let count = 0;

      const fail = async (error: unknown): Promise<void> => {
        if (done || closed) return;
        done = true;
        upstream?.unsubscribe();
        await proc?.stop();
        await temp?.discard();
        await options.companion?.discard();
        subscriber.error(error);
      };
      const encoderError = (exit: Awaited<FfmpegProcess['exited']>) =>
        new FfmpegError(`Encoding ${temp?.output ?? options.output}`, 'check the encoder options and the free disk space', proc!.failure(exit));

      const start = (first: Frame): FfmpegProcess => {
        checkFrameSize(video, first.width, first.height);
        const startUs = toMicroseconds(first.pts, first.timeBase);
        shape = { format: first.format, width: first.width, height: first.height, timeBase: first.timeBase, baseUs: Math.min(startUs, 0) };
        const argv = encodeArgs({
          hasFpsMode: binary.hasFpsMode,
          hasMovieTimescale: binary.hasMovieTimescale,
          container,
          output: temp!.path,
          frameFormat: first.format,
          timeBase: first.timeBase,
          startOffsetUs: startUs,
          video,
          color,
          ...(original ? { original: { source: original.source, plan } } : {}),
        });
        const child = spawnFfmpeg(binary.ffmpeg, argv, { stdin: 'pipe', killTimeoutMs: options.killTimeoutMs });
        options.onSpawn?.({ pid: child.pid, argv: child.argv });
        void child.exited.then((exit) => {
          // An exit before we closed stdin is a failure whatever the code (ffmpeg stops reading, frames are lost).
          if (!ending) void fail(exit.code === 0 ? new NullcamError(`ffmpeg stopped encoding ${options.output} early; see --debug for its log.`) : encoderError(exit));
        });
        const defaultDurationNs = frameRate ? (1e9 * frameRate.den) / frameRate.num : undefined;
        child.stdin!.write(matroskaHeader({ width: first.width, height: first.height, format: first.format, ...(defaultDurationNs ? { defaultDurationNs } : {}) }));
        return child;
      };

      const write = (frame: Frame): void => {
        proc ??= start(frame);
        const s = shape!;
        if (frame.format !== s.format || frame.width !== s.width || frame.height !== s.height || !sameRational(frame.timeBase, s.timeBase)) {
          throw new NullcamError(
            `Frame ${frame.index} is ${frame.format} ${frame.width}x${frame.height} in ${frame.timeBase.num}/${frame.timeBase.den}, but the stream started as ` +
              `${s.format} ${s.width}x${s.height} in ${s.timeBase.num}/${s.timeBase.den}; nullcam cannot change format mid-stream.`,
          );
        }
        const stdin = proc.stdin!;
        stdin.write(matroskaFrameHeader(toMicroseconds(frame.pts, frame.timeBase) - s.baseUs, frame.data.length));
        const accepted = stdin.write(frame.data);
        count++;
        // Backpressure: the credit goes back only once the pipe has room, so the source stops reading.
        if (credit) {
          // One waiting listener per frame in flight, so up to credit.limit at once: expected, not a leak.
          stdin.setMaxListeners(credit.limit + 10);
          if (accepted) credit.give();
          else stdin.once('drain', () => credit.give());
        }
      };

      const finish = async (): Promise<void> => {
        if (!proc) throw new NullcamError(`No frames to encode into ${options.output}; the input produced no video frames.`);
        ending = true;
        proc.stdin!.end();
        const exit = await proc.exited;
        if (done || closed) return;
        if (exit.code !== 0) throw encoderError(exit);
        // Companion first: a crash between the two renames leaves no video, rather than a video without its companion.
        await options.companion?.commit(temp!.path);
        await temp!.commit();
        done = true;
        subscriber.next({ output: temp!.output, frames: count, argv: proc.argv, kept: plan.kept, dropped: plan.dropped, durationMs: Date.now() - started });
        subscriber.complete();
      };

      reserveTempOutput(options.output, options.overwrite).then(
        (reserved) => {
          temp = reserved;
          if (closed) return void reserved.discard();
          upstream = frames.subscribe({
            next: (frame) => {
              try {
                write(frame);
              } catch (error) {
                void fail(error);
              }
            },
            error: (error: unknown) => void fail(error),
            complete: () => void finish().catch(fail),
          });
        },
        (error: unknown) => void (options.companion ? options.companion.discard() : Promise.resolve()).then(() => subscriber.error(error)),
      );

      return () => {
        closed = true;
        upstream?.unsubscribe();
        if (done) return;
        // Unsubscribed mid-run (Ctrl-C): stop ffmpeg, then remove what it wrote.
        void (proc ? proc.stop() : Promise.resolve()).then(() => temp?.discard()).then(() => options.companion?.discard());
      };
    });
}

/**
 * pts in `timeBase` → µs, rounded half away from zero, exact in BigInt (pts × 10⁶ overflows 2⁵³ for long
 * high-resolution streams).
 */
export function toMicroseconds(pts: number, timeBase: Rational): number {
  const numerator = BigInt(pts) * BigInt(timeBase.num) * 1_000_000n;
  const den = BigInt(timeBase.den);
  const negative = numerator < 0n;
  const abs = negative ? -numerator : numerator;
  const rounded = (abs * 2n + den) / (2n * den);
  return Number(negative ? -rounded : rounded);
}

function sameRational(a: Rational, b: Rational): boolean {
  return a.num * b.den === b.num * a.den;
}
