/**
 * Which streams of the original input go into the output, and how. Audio is always kept (copied, or
 * re-encoded to AAC when the container cannot hold the codec); text subtitles are kept; anything that can
 * show or locate a person outside the anonymized video (other video angles, cover art, image attachments,
 * data tracks such as GPS telemetry) is dropped and reported.
 */
import type { StreamInfo } from '../ingest/media-info.js';
import type { Container } from './output-file.js';

/** Audio codecs the mp4 muxer stores without `-strict` (ffmpeg 5.1). */
const MP4_AUDIO = new Set(['aac', 'mp3', 'mp2', 'ac3', 'eac3', 'alac', 'opus', 'flac']);
/** QuickTime also takes PCM. */
const MOV_AUDIO = new Set([...MP4_AUDIO, 'pcm_s16le', 'pcm_s16be', 'pcm_s24le', 'pcm_s24be', 'pcm_s32le', 'pcm_f32le', 'pcm_u8']);
/** Subtitle codecs that are text, so they convert to the container's text format. */
const TEXT_SUBTITLES = new Set(['subrip', 'srt', 'ass', 'ssa', 'webvtt', 'mov_text', 'text']);
/** Attachments that are fonts (for ASS subtitles); others may be pictures. */
const FONT_ATTACHMENTS = new Set(['ttf', 'otf']);

/** Bit rate for audio that has to be re-encoded (AAC-LC, transparent for speech and most music). */
export const TRANSCODED_AUDIO_BITRATE = '192k';

export type StreamAction =
  | { readonly kind: 'copy' }
  /** Re-encode with `codec` (plus its arguments, e.g. a bit rate). */
  | { readonly kind: 'encode'; readonly codec: string; readonly args: readonly string[] };

export interface PlannedStream {
  readonly stream: StreamInfo;
  readonly action: StreamAction;
}

export interface DroppedStream {
  readonly stream: StreamInfo;
  readonly reason: string;
}

export interface StreamPlan {
  /** Streams to map from the original, in output order (after the anonymized video). */
  readonly kept: readonly PlannedStream[];
  readonly dropped: readonly DroppedStream[];
}

/**
 * Plans the original's streams for `container`.
 * @param videoIndex the stream nullcam decoded (replaced by the anonymized video, so never copied)
 * @example
 * planStreams([{ index: 0, kind: 'video', codec: 'h264', attachedPicture: false }, { index: 1, kind: 'audio', codec: 'aac', attachedPicture: false }], 'mp4', 0)
 * // { kept: [{ stream: { index: 1, … }, action: { kind: 'copy' } }], dropped: [] }
 */
export function planStreams(streams: readonly StreamInfo[], container: Container, videoIndex: number): StreamPlan {
  const kept: PlannedStream[] = [];
  const dropped: DroppedStream[] = [];
  for (const stream of streams) {
    if (stream.index === videoIndex) continue;
    const decision = decide(stream, container);
    if ('reason' in decision) dropped.push({ stream, reason: decision.reason });
    else kept.push({ stream, action: decision });
  }
  return { kept, dropped };
}

function decide(stream: StreamInfo, container: Container): StreamAction | { reason: string } {
  switch (stream.kind) {
    case 'video':
      return { reason: stream.attachedPicture ? 'cover art can show a face' : 'only the first video stream is anonymized' };
    case 'audio': {
      const copyable = container === 'matroska' || (container === 'mov' ? MOV_AUDIO : MP4_AUDIO).has(stream.codec);
      return copyable ? { kind: 'copy' } : { kind: 'encode', codec: 'aac', args: ['-b', TRANSCODED_AUDIO_BITRATE] };
    }
    case 'subtitle':
      if (container === 'matroska') return stream.codec === 'mov_text' ? { kind: 'encode', codec: 'srt', args: [] } : { kind: 'copy' };
      if (TEXT_SUBTITLES.has(stream.codec)) return stream.codec === 'mov_text' ? { kind: 'copy' } : { kind: 'encode', codec: 'mov_text', args: [] };
      return { reason: `${container} cannot hold ${stream.codec} subtitles` };
    case 'attachment':
      if (container === 'matroska' && FONT_ATTACHMENTS.has(stream.codec)) return { kind: 'copy' };
      return { reason: container === 'matroska' ? 'attachments other than fonts can be pictures' : `${container} has no attachments` };
    case 'data':
      return { reason: 'data streams can carry location or device data' };
  }
}
