/**
 * The live encoder's argv, as data: raw yuv420p frames on stdin, H.264 in FLV on stdout (FLV frames each
 * packet with its size, so an access unit can leave as soon as it is encoded). Tests pin the array exactly.
 */
import type { Rational } from '../frame.js';
import { COMMON_ARGS } from '../ingest/ffmpeg-args.js';

export interface LiveEncodeArgsInput {
  readonly width: number;
  readonly height: number;
  /** The camera's frame rate: x264's rate control and the keyframe interval are in frames. */
  readonly frameRate: Rational;
  /** Keyframe interval in frames: how long a client joining mid-stream waits for a picture. */
  readonly gopFrames: number;
  readonly preset: string;
  readonly crf: number;
}

/**
 * @example
 * liveEncodeArgs({ width: 1280, height: 720, frameRate: { num: 25, den: 1 }, gopFrames: 25, preset: 'ultrafast', crf: 23 })
 * // ['-hide_banner', '-nostdin', '-nostats', '-loglevel', 'level+warning', '-f', 'rawvideo', '-pix_fmt', 'yuv420p',
 * //  '-s', '1280x720', '-framerate', '25/1', '-i', 'pipe:0', '-c:v', 'libx264', '-preset', 'ultrafast', '-tune', 'zerolatency',
 * //  '-crf', '23', '-g', '25', '-keyint_min', '25', '-bf', '0', '-pix_fmt', 'yuv420p', '-flush_packets', '1',
 * //  '-flvflags', 'no_duration_filesize', '-f', 'flv', 'pipe:1']
 */
export function liveEncodeArgs(input: LiveEncodeArgsInput): string[] {
  return [
    ...COMMON_ARGS,
    '-loglevel', 'level+warning',
    '-f', 'rawvideo',
    '-pix_fmt', 'yuv420p',
    '-s', `${input.width}x${input.height}`,
    '-framerate', `${input.frameRate.num}/${input.frameRate.den}`,
    '-i', 'pipe:0',
    '-c:v', 'libx264',
    '-preset', input.preset,
    // No lookahead, no frame-threading delay: each frame is coded as it arrives (one access unit out per frame in).
    '-tune', 'zerolatency',
    '-crf', String(input.crf),
    // A fixed keyframe interval, so a client joining mid-stream gets a picture within gopFrames.
    '-g', String(input.gopFrames),
    '-keyint_min', String(input.gopFrames),
    // No B-frames: output order is input order, so access unit n is frame n and carries its pts.
    '-bf', '0',
    '-pix_fmt', 'yuv420p',
    // Each packet reaches the pipe at once instead of sitting in a 32 KB output buffer.
    '-flush_packets', '1',
    // A pipe cannot seek back to fill in duration and size at the end.
    '-flvflags', 'no_duration_filesize',
    '-f', 'flv',
    'pipe:1',
  ];
}
