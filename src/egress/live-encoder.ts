/**
 * The live sink's encoder: anonymized frames in, H.264 access units out, each carrying its frame's pts on
 * the 90 kHz clock. One ffmpeg (libx264, zerolatency, no B-frames, fixed keyframe interval), restarted when
 * the frame size changes (a camera reconfigured). Never blocks the pipeline: when the encoder's pipe
 * already holds `maxPendingFrames` (more until it has worked off its start), the frame is dropped and
 * reported. Unsubscribing stops ffmpeg.
 */
import { Observable, type OperatorFunction } from 'rxjs';
import type { Frame, Rational } from '../frame.js';
import { framePool } from '../frame-pool.js';
import type { FfmpegBinary } from '../ingest/ffmpeg-binary.js';
import { FfmpegError } from '../ingest/ffmpeg-error.js';
import { spawnFfmpeg, type FfmpegProcess } from '../ingest/ffmpeg-process.js';
import { FlvH264Reader } from './flv-h264-reader.js';
import type { H264AccessUnit } from './h264-access-unit.js';
import { liveEncodeArgs } from './live-encode-args.js';

export interface LiveEncodeOptions {
  readonly binary: FfmpegBinary;
  /** The camera's frame rate, read when the encoder (re)starts (it is known once the camera is connected). */
  readonly frameRate: () => Rational;
  readonly gopSeconds: number;
  readonly preset: string;
  readonly crf: number;
  /**
   * Frames allowed to wait in the encoder's stdin pipe; default 5 (at 720p 7 MB): the slack a briefly
   * descheduled encoder needs (a 600 s 720p25 run on 2 cores still dropped 2 frames with 3).
   */
  readonly maxPendingFrames?: number;
  readonly onDrop?: (frame: Frame) => void;
  /** Wall ms from a frame's write to its access unit coming out (the encoder's latency). */
  readonly onEncoded?: (ms: number) => void;
  readonly onSpawn?: (process: Pick<FfmpegProcess, 'pid' | 'argv'>) => void;
  /** SIGTERM → SIGKILL grace period, default 5000 ms. */
  readonly killTimeoutMs?: number;
}

/**
 * Frames an encoder's pipe may hold until it has caught up with its start: ffmpeg and libx264 take a few
 * hundred ms to start (measured: 5–10 frames dropped at 720p25 with a steady-state limit of 3), and a
 * camera's first frames often come as a burst. The backlog is still there when the first access unit comes
 * out (measured: 6 frames in 110 ms, the first unit after 120 ms, then one frame dropped with the steady-state
 * limit in 2 of 3 proxy starts), so the steady-state limit applies only once it is worked off.
 */
const STARTUP_PENDING_FRAMES = 12;

interface Instance {
  readonly proc: FfmpegProcess;
  /** The stream it codes, "WxH@num/den": a new size or rate needs a new encoder (new SPS, new keyframe interval). */
  readonly shape: string;
  /** pts90k and write time (performance.now) of frames written and not yet out as access units, oldest first. */
  readonly pending: Array<{ readonly pts90k: number; readonly writtenAt: number }>;
  ending: boolean;
  /** True once the encoder's output caught up with its input after the start (at most one frame pending). */
  caughtUp: boolean;
}

/**
 * @returns an operator emitting one access unit per frame encoded; completes when the frames complete and
 * the encoder drained
 * @throws (as an Observable error) FfmpegError when the encoder fails
 */
export function encodeLive(options: LiveEncodeOptions): OperatorFunction<Frame, H264AccessUnit> {
  const maxPending = options.maxPendingFrames ?? 5;
  return (frames) =>
    new Observable<H264AccessUnit>((subscriber) => {
      let current: Instance | null = null;
      /** Pixels of the last frame written, to tell a repeat from a new frame. */
      let lastData: Buffer | null = null;
      let closed = false;

      const fail = (error: unknown): void => {
        if (closed) return;
        closed = true;
        void current?.proc.stop();
        subscriber.error(error);
      };

      const start = (frame: Frame): Instance => {
        const frameRate = options.frameRate();
        const argv = liveEncodeArgs({
          width: frame.width,
          height: frame.height,
          frameRate,
          gopFrames: Math.max(1, Math.round((options.gopSeconds * frameRate.num) / frameRate.den)),
          preset: options.preset,
          crf: options.crf,
        });
        const proc = spawnFfmpeg(options.binary.ffmpeg, argv, { stdin: 'pipe', killTimeoutMs: options.killTimeoutMs });
        options.onSpawn?.({ pid: proc.pid, argv: proc.argv });
        const instance: Instance = { proc, shape: shapeOf(frame, frameRate), pending: [], ending: false, caughtUp: false };
        const reader = new FlvH264Reader();
        proc.stdout.on('data', (chunk: Buffer) => {
          if (closed || (instance !== current && !instance.ending)) return;
          try {
            for (const au of reader.push(chunk)) {
              const frame = instance.pending.shift();
              if (!frame) continue;
              if (instance.pending.length <= 1) instance.caughtUp = true;
              options.onEncoded?.(performance.now() - frame.writtenAt);
              subscriber.next({ nalus: au.nalus, keyframe: au.keyframe, pts90k: frame.pts90k });
            }
          } catch (error) {
            fail(error);
          }
        });
        void proc.exited.then((exit) => {
          if (instance.ending || closed) return;
          fail(new FfmpegError('Live encoding', 'check that this ffmpeg has libx264 (nullcam doctor)', proc.failure(exit)));
        });
        return instance;
      };

      const sub = frames.subscribe({
        next(frame) {
          if (closed) return;
          if (current && current.shape !== shapeOf(frame, options.frameRate())) {
            // A new size (or a camera's rate, once measured) is a new stream (new SPS); the old encoder's
            // last frames are not worth waiting for.
            current.ending = true;
            void current.proc.stop();
            current = null;
          }
          current ??= start(frame);
          const stdin = current.proc.stdin!;
          // A repeat (the very pixels just written: a dropped frame's slot, see fill-gaps.ts) comes in a burst
          // with the frame after it; it only takes a slot while one stays free for that frame.
          const slots = current.caughtUp ? maxPending : Math.max(maxPending, STARTUP_PENDING_FRAMES);
          const limit = frame.data === lastData ? slots - 1 : slots;
          if (stdin.writableLength >= limit * frame.data.length) {
            options.onDrop?.(frame);
            return;
          }
          // Held until written (frame-pool.ts), and as lastData while it is the last written, so a pool
          // buffer coming back with a newer frame is never taken for a repeat.
          framePool.hold(frame.data);
          if (lastData) framePool.release(lastData);
          lastData = frame.data;
          current.pending.push({ pts90k: Math.round((frame.pts * 90_000 * frame.timeBase.num) / frame.timeBase.den), writtenAt: performance.now() });
          framePool.hold(frame.data);
          stdin.write(frame.data, () => framePool.release(frame.data));
        },
        error: fail,
        complete() {
          const last = current;
          if (!last) return subscriber.complete();
          last.ending = true;
          last.proc.stdin!.end();
          const drained = new Promise((resolve) => last.proc.stdout.once('close', resolve));
          void Promise.all([last.proc.exited, drained]).then(() => {
            if (!closed) subscriber.complete();
          });
        },
      });
      return () => {
        closed = true;
        sub.unsubscribe();
        void current?.proc.stop();
      };
    });
}

const shapeOf = (frame: Frame, rate: Rational): string => `${frame.width}x${frame.height}@${rate.num}/${rate.den}`;
