/**
 * Every ffmpeg/ffprobe argv the ingest side runs, as data. Tests pin them as exact arrays; each
 * non-obvious flag says why it is there.
 */
import type { PixelFormat } from '../frame.js';
import { isUrl } from './redact-url.js';

/** Network reads give up after this long without data instead of hanging on a dead host (µs, ffmpeg's unit). */
export const NETWORK_TIMEOUT_US = 15_000_000;

/** Options every ffmpeg we spawn shares. */
export const COMMON_ARGS: readonly string[] = [
  '-hide_banner',
  // ffmpeg reads keystrokes ('q' quits) from stdin; ours is either ignored or carries video.
  '-nostdin',
  // Progress lines use \r and would interleave with the log lines we parse.
  '-nostats',
];

/** Input options for network sources, none for files. */
export function networkInputArgs(source: string): string[] {
  return isUrl(source) ? ['-rw_timeout', String(NETWORK_TIMEOUT_US)] : [];
}

/** `ffprobe` argv printing format and streams as JSON. */
export function ffprobeArgs(source: string): string[] {
  return ['-hide_banner', '-v', 'error', ...networkInputArgs(source), '-print_format', 'json', '-show_format', '-show_streams', source];
}

/** `ffmpeg -i` without an output: exits 1 after dumping the input (the probe when ffprobe is missing). */
export function ffmpegProbeArgs(source: string): string[] {
  return [...COMMON_ARGS, ...networkInputArgs(source), '-i', source];
}

export interface DecodeArgsInput {
  /** Path or URL exactly as ffmpeg should open it. */
  readonly source: string;
  /** Absolute index of the video stream to decode (from the probe). */
  readonly streamIndex: number;
  readonly format: PixelFormat;
  /** `-fps_mode` exists (ffmpeg ≥ 5.1); otherwise the older `-vsync` spelling is used. */
  readonly hasFpsMode: boolean;
}

/**
 * Decode one video stream to packed raw frames on stdout, with one showinfo line per frame on stderr.
 * @example
 * decodeArgs({ source: 'in.mp4', streamIndex: 0, format: 'yuv420p', hasFpsMode: true })
 * // ['-hide_banner', '-nostdin', '-nostats', '-loglevel', 'level+info', '-err_detect', 'ignore_err', '-i', 'in.mp4',
 * //  '-map', '0:0', '-vf', 'showinfo=checksum=0', '-fps_mode', 'passthrough', '-enc_time_base', '-1', '-pix_fmt', 'yuv420p',
 * //  '-f', 'rawvideo', 'pipe:1']
 */
export function decodeArgs(input: DecodeArgsInput): string[] {
  return [
    ...COMMON_ARGS,
    // showinfo logs at info level; the "[warning]"/"[error]" tags let us count decoder complaints.
    '-loglevel', 'level+info',
    // Keep decoding through damaged packets (best effort, concealed); the errors are still logged and counted.
    '-err_detect', 'ignore_err',
    ...networkInputArgs(input.source),
    '-i', input.source,
    // Only the probed video stream; audio is copied from the original by the encoder, untouched.
    '-map', `0:${input.streamIndex}`,
    // Frame pts and time base on stderr; checksum=0 skips a hash and mean/stdev over every pixel of every frame.
    '-vf', 'showinfo=checksum=0',
    // One output frame per decoded frame with its own timestamp: no duplicates or drops to fit a frame rate.
    ...(input.hasFpsMode ? ['-fps_mode', 'passthrough'] : ['-vsync', 'passthrough']),
    // Raw output ticks in the source time base: the default (1/frame rate) folds close VFR frames onto one
    // tick and logs a false "non monotonically increasing dts" error per frame.
    '-enc_time_base', '-1',
    '-pix_fmt', input.format,
    '-f', 'rawvideo',
    'pipe:1',
  ];
}
