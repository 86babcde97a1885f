/**
 * The encoder's argv, as data. Input 0 is nullcam's Matroska stream on stdin (frames with µs timestamps);
 * input 1, when given, is the original file, the source of every kept audio/subtitle stream. Tests pin
 * the arrays exactly; each non-obvious flag says why it is there.
 */
import type { PixelFormat, Rational } from '../frame.js';
import { COMMON_ARGS, networkInputArgs } from '../ingest/ffmpeg-args.js';
import type { ColorTags } from '../ingest/media-info.js';
import type { Container } from './output-file.js';
import type { StreamPlan } from './stream-plan.js';

/** A fully resolved video encoding (defaults applied, values validated by encode-options.ts). */
export interface VideoEncoding {
  /** ffmpeg encoder name, e.g. "libx264". */
  readonly encoder: string;
  readonly preset?: string;
  /** Constant rate factor; mutually exclusive with `bitrate`. */
  readonly crf?: number;
  /** Target bit rate in ffmpeg syntax ("4M"); mutually exclusive with `crf`. */
  readonly bitrate?: string;
  /** Output pixel format, e.g. "yuv420p" (what every player decodes). */
  readonly pixFmt: string;
  /** Appended verbatim just before the output: the escape hatch for anything not modelled here. */
  readonly extraArgs: readonly string[];
}

export interface EncodeArgsInput {
  readonly hasFpsMode: boolean;
  readonly hasMovieTimescale: boolean;
  readonly container: Container;
  /** Path ffmpeg writes (the temp file). */
  readonly output: string;
  /** Pixel format of the frames on stdin. */
  readonly frameFormat: PixelFormat;
  /** Time base of the frames' pts; output timestamps are kept in it. */
  readonly timeBase: Rational;
  /** First frame's time in µs; the Matroska input starts at 0, this shifts it back (see encoder.ts). */
  readonly startOffsetUs: number;
  readonly video: VideoEncoding;
  readonly color: ColorTags;
  /** The original input and what to take from it; absent for video-only output. */
  readonly original?: { readonly source: string; readonly plan: StreamPlan };
}

/** ffmpeg colour-space names → swscale matrix names, for converting rgb24 frames to YUV with the right matrix. */
const SWS_MATRIX: Readonly<Record<string, string>> = {
  bt709: 'bt709',
  smpte170m: 'bt601',
  bt470bg: 'bt601',
  fcc: 'fcc',
  smpte240m: 'smpte240m',
  bt2020nc: 'bt2020',
  bt2020c: 'bt2020',
};

/**
 * @example
 * encodeArgs({ hasFpsMode: true, hasMovieTimescale: true, container: 'mp4', output: '/out/.a.nullcam-1f2e3d4c.mp4', frameFormat: 'yuv420p',
 *   timeBase: { num: 1, den: 12800 }, startOffsetUs: 0, color: {},
 *   video: { encoder: 'libx264', preset: 'veryfast', crf: 20, pixFmt: 'yuv420p', extraArgs: [] } })
 * // ['-hide_banner', '-nostdin', '-nostats', '-loglevel', 'level+warning', '-f', 'matroska', '-i', 'pipe:0',
 * //  '-map', '0:v:0', '-c:v', 'libx264', '-preset', 'veryfast', '-crf', '20', '-pix_fmt', 'yuv420p',
 * //  '-enc_time_base:v', '1:12800', '-fps_mode:v', 'passthrough', '-map_metadata', '-1',
 * //  '-video_track_timescale', '12800', '-movie_timescale', '64000', '-f', 'mp4', '-y', '/out/.a.nullcam-1f2e3d4c.mp4']
 */
export function encodeArgs(input: EncodeArgsInput): string[] {
  const { video, timeBase, original } = input;
  const kept = original?.plan.kept ?? [];
  return [
    ...COMMON_ARGS,
    // Warnings and errors only (x264's statistics are info): the stderr tail then holds the cause of a failure.
    '-loglevel', 'level+warning',
    // ffmpeg shifts each input to start at 0; this puts the first frame back at its original time, as the
    // original's audio (input 1) keeps its own.
    ...(input.startOffsetUs !== 0 ? ['-itsoffset', formatMicroseconds(input.startOffsetUs)] : []),
    '-f', 'matroska', '-i', 'pipe:0',
    ...(original ? [...networkInputArgs(original.source), '-i', original.source] : []),
    '-map', '0:v:0',
    ...kept.flatMap(({ stream }) => ['-map', `1:${stream.index}`]),
    '-c:v', video.encoder,
    ...(video.preset !== undefined ? ['-preset', video.preset] : []),
    ...(video.crf !== undefined ? ['-crf', String(video.crf)] : []),
    ...(video.bitrate !== undefined ? ['-b:v', video.bitrate] : []),
    '-pix_fmt', video.pixFmt,
    ...colorArgs(input.color, input.frameFormat, video.pixFmt),
    // Encoder ticks = the source's ticks, so µs pipe timestamps round back to the exact original values
    // (the default, 1/frame rate, snaps VFR frames onto a CFR grid). Every frame keeps its own timestamp:
    // none duplicated or dropped to fit a rate. VFR stays VFR.
    ...(input.hasFpsMode
      ? ['-enc_time_base:v', `${timeBase.num}:${timeBase.den}`, '-fps_mode:v', 'passthrough']
      : // The 2018 npm build drops the last frame when -enc_time_base is set (measured); it keeps the
        // frame-rate time base: exact for CFR sources, VFR timestamps rounded to that grid.
        ['-vsync', 'passthrough']),
    ...kept.flatMap(({ action }, i) => {
      const out = i + 1;
      if (action.kind === 'copy') return [`-c:${out}`, 'copy'];
      const extra: string[] = [];
      for (let k = 0; k < action.args.length; k += 2) extra.push(`${action.args[k]}:${out}`, action.args[k + 1]);
      return [`-c:${out}`, action.codec, ...extra];
    }),
    // Drop the original's global tags (GPS position, device, owner, creation time): an anonymized video
    // should not say where or by whom it was filmed.
    '-map_metadata', '-1',
    ...(input.container === 'mp4' || input.container === 'mov' ? quickTimeTimescales(timeBase.den, input.hasMovieTimescale) : []),
    ...video.extraArgs,
    '-f', input.container,
    // The temp file exists already (reserved empty by output-file.ts).
    '-y', input.output,
  ];
}

/**
 * MP4/MOV store video ticks of 1/video_track_timescale: the source's denominator keeps every pts exact.
 * A track that starts after 0 also gets an edit list, counted in the movie timescale (default 1000, which
 * moved Megamind.avi's first frame from 125/2997 s to 123/2997 s). lcm(den, 1000) keeps the video's edit
 * exact and the audio's as exact as before; den alone when the lcm would not fit the 32-bit field.
 * (Matroska output is always in ms; nothing to set there.)
 */
function quickTimeTimescales(den: number, hasMovieTimescale: boolean): string[] {
  const args = ['-video_track_timescale', String(den)];
  if (hasMovieTimescale) {
    const lcm = (den / gcd(den, 1000)) * 1000;
    args.push('-movie_timescale', String(lcm <= 0x7fffffff ? lcm : den));
  }
  return args;
}

function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}

/** Colour tags for the output stream, and for rgb24 frames the matching RGB→YUV matrix and range. */
function colorArgs(color: ColorTags, frameFormat: PixelFormat, pixFmt: string): string[] {
  const args: string[] = [];
  if (frameFormat === 'rgb24' && pixFmt.startsWith('yuv')) {
    const matrix = color.space ? SWS_MATRIX[color.space] : undefined;
    const range = color.range === 'pc' || color.range === 'tv' ? color.range : undefined;
    const options = [...(matrix ? [`out_color_matrix=${matrix}`] : []), ...(range ? [`out_range=${range}`] : [])];
    if (options.length) args.push('-vf', `scale=${options.join(':')}`);
  }
  if (color.range) args.push('-color_range', color.range);
  if (color.space) args.push('-colorspace', color.space);
  if (color.primaries) args.push('-color_primaries', color.primaries);
  if (color.transfer) args.push('-color_trc', color.transfer);
  return args;
}

/** µs → "S.ffffff" seconds, exact (ffmpeg parses durations to µs). */
export function formatMicroseconds(us: number): string {
  const sign = us < 0 ? '-' : '';
  const abs = Math.abs(us);
  return `${sign}${Math.floor(abs / 1e6)}.${String(abs % 1e6).padStart(6, '0')}`;
}
