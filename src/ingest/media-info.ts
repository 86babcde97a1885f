/**
 * What a probe learns about an input before any decoding: the streams (so the encoder knows what to copy),
 * and the video stream nullcam will decode. Built from ffprobe's JSON here; from `ffmpeg -i` stderr in
 * ffmpeg-stderr-probe.ts when only the npm ffmpeg exists.
 */
import type { Rational } from '../frame.js';

export type StreamKind = 'video' | 'audio' | 'subtitle' | 'data' | 'attachment';

export interface StreamInfo {
  /** Absolute stream index in the input (what `-map 0:<index>` selects). */
  readonly index: number;
  readonly kind: StreamKind;
  /** ffmpeg codec name, e.g. "h264", "aac", "subrip"; "unknown" when ffmpeg has no decoder for it. */
  readonly codec: string;
  /** Cover art inside audio files is a "video" stream with this flag; nullcam never decodes it. */
  readonly attachedPicture: boolean;
}

/** Colour tags as ffmpeg names them ("bt709", "tv", …); absent when the input leaves them unspecified. */
export interface ColorTags {
  readonly range?: string;
  readonly space?: string;
  readonly primaries?: string;
  readonly transfer?: string;
}

export interface VideoStreamInfo extends StreamInfo {
  readonly kind: 'video';
  /** Size of the decoded frames: the coded size turned by the rotation ffmpeg applies on decode. */
  readonly width: number;
  readonly height: number;
  /** Display rotation in degrees that decoding undoes (autorotate), 0 for most files. */
  readonly rotation: number;
  /** Stream time base; null when the probe could only see a rounded value (the `ffmpeg -i` fallback). */
  readonly timeBase: Rational | null;
  /** Nominal frame rate (ffmpeg's r_frame_rate); null when unknown. Exact frame times come from decoding. */
  readonly frameRate: Rational | null;
  /** Frame count the container declares; null when it declares none (Matroska, streams). */
  readonly frameCount: number | null;
  readonly color: ColorTags;
}

export interface MediaInfo {
  /** ffmpeg demuxer name(s), e.g. "mov,mp4,m4a,3gp,3g2,mj2". */
  readonly format: string;
  readonly durationSeconds: number | null;
  readonly streams: readonly StreamInfo[];
  /** The stream nullcam decodes: the first video stream that is not cover art; null when there is none. */
  readonly video: VideoStreamInfo | null;
}

interface FfprobeStream {
  index: number;
  codec_type?: string;
  codec_name?: string;
  width?: number;
  height?: number;
  time_base?: string;
  r_frame_rate?: string;
  nb_frames?: string;
  color_range?: string;
  color_space?: string;
  color_primaries?: string;
  color_transfer?: string;
  disposition?: { attached_pic?: number };
  tags?: { rotate?: string };
  side_data_list?: Array<{ rotation?: number }>;
}

interface FfprobeJson {
  format?: { format_name?: string; duration?: string };
  streams?: FfprobeStream[];
}

/**
 * Converts `ffprobe -print_format json -show_format -show_streams` output.
 * @throws SyntaxError when `json` is not JSON.
 */
export function mediaInfoFromFfprobe(json: string): MediaInfo {
  const probe = JSON.parse(json) as FfprobeJson;
  const streams = (probe.streams ?? []).map((s): StreamInfo | VideoStreamInfo => {
    const kind = streamKind(s.codec_type);
    const base = { index: s.index, kind, codec: s.codec_name ?? 'unknown', attachedPicture: s.disposition?.attached_pic === 1 };
    if (kind !== 'video') return base;
    const rotation = normalizeRotation(s.side_data_list?.find((d) => d.rotation !== undefined)?.rotation ?? Number(s.tags?.rotate ?? 0));
    const quarterTurn = Math.abs(rotation) % 180 === 90;
    const width = s.width ?? 0;
    const height = s.height ?? 0;
    return {
      ...base,
      kind,
      width: quarterTurn ? height : width,
      height: quarterTurn ? width : height,
      rotation,
      timeBase: parseRational(s.time_base),
      frameRate: plausibleFrameRate(parseRational(s.r_frame_rate)),
      frameCount: s.nb_frames !== undefined && /^\d+$/.test(s.nb_frames) && s.nb_frames !== '0' ? Number(s.nb_frames) : null,
      color: colorTags(s),
    };
  });
  const duration = Number(probe.format?.duration);
  return {
    format: probe.format?.format_name ?? 'unknown',
    durationSeconds: Number.isFinite(duration) ? duration : null,
    streams,
    video: firstVideo(streams),
  };
}

/** First video stream that is not cover art. */
export function firstVideo(streams: readonly StreamInfo[]): VideoStreamInfo | null {
  return (streams.find((s) => s.kind === 'video' && !s.attachedPicture) as VideoStreamInfo | undefined) ?? null;
}

export function streamKind(codecType: string | undefined): StreamKind {
  switch (codecType) {
    case 'video':
    case 'audio':
    case 'subtitle':
    case 'attachment':
      return codecType;
    default:
      return 'data';
  }
}

/** ffprobe reports rotation as the display matrix angle (-90 for a portrait phone clip); keep it in (-180, 180]. */
export function normalizeRotation(degrees: number): number {
  if (!Number.isFinite(degrees)) return 0;
  const r = ((Math.round(degrees) % 360) + 360) % 360;
  return r > 180 ? r - 360 : r;
}

/**
 * Above this a "rate" is not the video's: ffmpeg and ffprobe give the stream's time base instead (90k for
 * MPEG-TS) when they could not estimate one, as after a quick probe that joined a stream between keyframes.
 */
const MAX_FRAME_RATE = 240;

/** The rate, or null when it is a stand-in for an unknown one (above MAX_FRAME_RATE). */
export function plausibleFrameRate(rate: Rational | null): Rational | null {
  return rate && rate.num / rate.den <= MAX_FRAME_RATE ? rate : null;
}

/** "1/12800" → {num: 1, den: 12800}; null for missing, "0/0" or malformed values. */
export function parseRational(text: string | undefined): Rational | null {
  const m = /^(\d+)\/(\d+)$/.exec(text ?? '');
  if (!m || m[1] === '0' || m[2] === '0') return null;
  return { num: Number(m[1]), den: Number(m[2]) };
}

function colorTags(s: FfprobeStream): ColorTags {
  const known = (v: string | undefined) => (v && v !== 'unknown' && v !== 'unspecified' && v !== 'reserved' ? v : undefined);
  const tags = { range: known(s.color_range), space: known(s.color_space), primaries: known(s.color_primaries), transfer: known(s.color_transfer) };
  return Object.fromEntries(Object.entries(tags).filter(([, v]) => v !== undefined)) as ColorTags;
}
