/**
 * Video encoding options as callers give them, checked once and resolved to a `VideoEncoding` with
 * defaults in one place: H.264 via libx264, preset veryfast, CRF 20, yuv420p.
 */
import { invalidParameterError, NullcamError } from '../errors.js';
import type { VideoEncoding } from './encode-args.js';

export interface VideoEncodingOptions {
  /** ffmpeg encoder name, default "libx264". */
  readonly encoder?: string;
  /** Encoder preset; default "veryfast" for libx264/libx265 (1080p at ~25 fps on the 2-core CI machine), none otherwise. */
  readonly preset?: string;
  /** Constant rate factor 0–63 (lower is better quality); default 20 for libx264/libx265 unless `bitrate` is set. */
  readonly crf?: number;
  /** Target bit rate instead of CRF, ffmpeg syntax: "800k", "4M". */
  readonly bitrate?: string;
  /** Output pixel format, default "yuv420p" (plays everywhere). */
  readonly pixFmt?: string;
  /** Raw ffmpeg arguments inserted just before the output path. */
  readonly extraArgs?: readonly string[];
}

export const DEFAULT_VIDEO_ENCODING: VideoEncoding = Object.freeze({
  encoder: 'libx264',
  preset: 'veryfast',
  crf: 20,
  pixFmt: 'yuv420p',
  extraArgs: Object.freeze([]) as readonly string[],
});

const NAME = /^[A-Za-z0-9_.-]+$/;
const BITRATE = /^\d+(\.\d+)?[kKmMgG]?$/;

/**
 * Applies defaults and checks every field.
 * @throws NullcamError "Expected <what> for <name> but received <value> of type <type>" for a bad field.
 * @example
 * resolveVideoEncoding({ bitrate: '4M' }) // { encoder: 'libx264', preset: 'veryfast', bitrate: '4M', pixFmt: 'yuv420p', extraArgs: [] }
 */
export function resolveVideoEncoding(options: VideoEncodingOptions = {}): VideoEncoding {
  const encoder = options.encoder ?? DEFAULT_VIDEO_ENCODING.encoder;
  if (typeof encoder !== 'string' || !NAME.test(encoder)) throw invalidParameterError('encoder', 'an ffmpeg encoder name', encoder);
  const x26x = /^libx26[45]$/.test(encoder);
  if (options.preset !== undefined && (typeof options.preset !== 'string' || !NAME.test(options.preset))) {
    throw invalidParameterError('preset', 'an encoder preset name', options.preset);
  }
  if (options.crf !== undefined && (typeof options.crf !== 'number' || !Number.isFinite(options.crf) || options.crf < 0 || options.crf > 63)) {
    throw invalidParameterError('crf', 'a number between 0 and 63', options.crf);
  }
  if (options.bitrate !== undefined && (typeof options.bitrate !== 'string' || !BITRATE.test(options.bitrate))) {
    throw invalidParameterError('bitrate', 'a bit rate such as "800k" or "4M"', options.bitrate);
  }
  if (options.crf !== undefined && options.bitrate !== undefined) {
    throw invalidParameterError('bitrate', 'no bitrate when crf is set (choose one)', options.bitrate);
  }
  const pixFmt = options.pixFmt ?? DEFAULT_VIDEO_ENCODING.pixFmt;
  if (typeof pixFmt !== 'string' || !NAME.test(pixFmt)) throw invalidParameterError('pixFmt', 'an ffmpeg pixel format name', pixFmt);
  const extraArgs = options.extraArgs ?? [];
  if (!Array.isArray(extraArgs) || !extraArgs.every((a) => typeof a === 'string')) {
    throw invalidParameterError('extraArgs', 'an array of strings', extraArgs);
  }
  const preset = options.preset ?? (x26x ? DEFAULT_VIDEO_ENCODING.preset : undefined);
  const crf = options.crf ?? (x26x && options.bitrate === undefined ? DEFAULT_VIDEO_ENCODING.crf : undefined);
  return Object.freeze({
    encoder,
    ...(preset !== undefined ? { preset } : {}),
    ...(crf !== undefined ? { crf } : {}),
    ...(options.bitrate !== undefined ? { bitrate: options.bitrate } : {}),
    pixFmt,
    extraArgs: Object.freeze([...extraArgs]),
  });
}

/** Encoders that need even sizes for subsampled chroma (lossless ones such as FFV1 take any size). */
const EVEN_SIZE_ENCODERS = /^(libx26[45]|libopenh264|(h264|hevc)_\w+)$/;
/** Pixel formats with chroma halved horizontally (4:2:0, 4:2:2), which those encoders need even widths for. */
const HALF_WIDTH_CHROMA = /^(yuvj?42[02]p|nv1[26]|nv21)/;
const HALF_HEIGHT_CHROMA = /^(yuvj?420p|nv12|nv21)/;

/**
 * Fails before encoding a frame size the encoder cannot take in this pixel format (libx264 would reject it
 * with a bare "width not divisible by 2" after decoding has started).
 * @throws NullcamError naming the size and the two ways out
 */
export function checkFrameSize(encoding: VideoEncoding, width: number, height: number): void {
  if (!EVEN_SIZE_ENCODERS.test(encoding.encoder)) return;
  const oddWidth = width % 2 === 1 && HALF_WIDTH_CHROMA.test(encoding.pixFmt);
  const oddHeight = height % 2 === 1 && HALF_HEIGHT_CHROMA.test(encoding.pixFmt);
  if (!oddWidth && !oddHeight) return;
  throw new NullcamError(
    `The video is ${width}x${height}, and ${encoding.pixFmt} needs an even ${oddWidth ? 'width' : 'height'}; ` +
      `pass --set encode.pixFmt=yuv444p to keep the size (fewer players support it), or crop or pad the input to an even size with ffmpeg first.`,
  );
}
