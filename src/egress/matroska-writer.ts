/**
 * The smallest Matroska stream ffmpeg's demuxer accepts for raw video: raw frames on stdin have no
 * timestamps, so each frame travels in its own Cluster whose Timestamp is the frame's pts in µs. That is
 * how the encoder keeps every frame's time (VFR included) without guessing from a frame rate.
 *
 * Layout: EBML header · Segment (unknown size, so it can be streamed) · Info (TimestampScale 1000 ns)
 * · Tracks (one V_UNCOMPRESSED track) · per frame: Cluster { Timestamp, SimpleBlock(keyframe, data) }.
 * Element IDs and semantics: RFC 9559 (Matroska) and RFC 8794 (EBML).
 */
import type { PixelFormat } from '../frame.js';

/** Nanoseconds per timestamp tick: 1 µs, so a tick is finer than any common time base (1/90000 s is 11 µs). */
export const TIMESTAMP_SCALE_NS = 1000;

/**
 * ColourSpace FourCC per pixel format. ffmpeg's matroskadec reads it little-endian and maps it through its
 * raw pixel-format table (libavcodec/raw.c): "I420" → yuv420p, "RGB" 24 → rgb24.
 */
const COLOUR_SPACE: Readonly<Record<PixelFormat, readonly number[]>> = {
  yuv420p: [0x49, 0x34, 0x32, 0x30], // 'I' '4' '2' '0'
  rgb24: [0x52, 0x47, 0x42, 0x18], // 'R' 'G' 'B' 24
};

const ID = {
  EBML: 0x1a45dfa3,
  EBMLVersion: 0x4286,
  EBMLReadVersion: 0x42f7,
  EBMLMaxIDLength: 0x42f2,
  EBMLMaxSizeLength: 0x42f3,
  DocType: 0x4282,
  DocTypeVersion: 0x4287,
  DocTypeReadVersion: 0x4285,
  Segment: 0x18538067,
  Info: 0x1549a966,
  TimestampScale: 0x2ad7b1,
  MuxingApp: 0x4d80,
  WritingApp: 0x5741,
  Tracks: 0x1654ae6b,
  TrackEntry: 0xae,
  TrackNumber: 0xd7,
  TrackUID: 0x73c5,
  TrackType: 0x83,
  FlagLacing: 0x9c,
  CodecID: 0x86,
  DefaultDuration: 0x23e383,
  Video: 0xe0,
  PixelWidth: 0xb0,
  PixelHeight: 0xba,
  ColourSpace: 0x2eb524,
  Cluster: 0x1f43b675,
  Timestamp: 0xe7,
  SimpleBlock: 0xa3,
} as const;

/** "Unknown size" (all value bits set, 8-byte vint): the Segment is streamed and never closed. */
const UNKNOWN_SIZE = Buffer.from([0x01, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]);

/** SimpleBlock payload prefix: track number 1 as a vint, relative timestamp 0 (int16), flags 0x80 = keyframe. */
const SIMPLE_BLOCK_PREFIX = Buffer.from([0x81, 0x00, 0x00, 0x80]);

export interface MatroskaVideoTrack {
  readonly width: number;
  readonly height: number;
  readonly format: PixelFormat;
  /** Nominal frame duration in ns; gives every frame, the last one included, a duration. Omitted when unknown. */
  readonly defaultDurationNs?: number;
}

/**
 * EBML header, Segment start, Info and Tracks: everything before the first frame.
 * @example
 * matroskaHeader({ width: 16, height: 16, format: 'yuv420p' }).length // 135
 */
export function matroskaHeader(track: MatroskaVideoTrack): Buffer {
  const ebml = element(ID.EBML, [
    uint(ID.EBMLVersion, 1),
    uint(ID.EBMLReadVersion, 1),
    uint(ID.EBMLMaxIDLength, 4),
    uint(ID.EBMLMaxSizeLength, 8),
    ascii(ID.DocType, 'matroska'),
    uint(ID.DocTypeVersion, 4),
    uint(ID.DocTypeReadVersion, 2),
  ]);
  const info = element(ID.Info, [uint(ID.TimestampScale, TIMESTAMP_SCALE_NS), ascii(ID.MuxingApp, 'nullcam'), ascii(ID.WritingApp, 'nullcam')]);
  const video = element(ID.Video, [
    uint(ID.PixelWidth, track.width),
    uint(ID.PixelHeight, track.height),
    element(ID.ColourSpace, [Buffer.from(COLOUR_SPACE[track.format])]),
  ]);
  const entry = element(ID.TrackEntry, [
    uint(ID.TrackNumber, 1),
    uint(ID.TrackUID, 1),
    uint(ID.TrackType, 1), // video
    uint(ID.FlagLacing, 0),
    ascii(ID.CodecID, 'V_UNCOMPRESSED'),
    ...(track.defaultDurationNs ? [uint(ID.DefaultDuration, Math.round(track.defaultDurationNs))] : []),
    video,
  ]);
  const tracks = element(ID.Tracks, [entry]);
  return Buffer.concat([ebml, idBytes(ID.Segment), UNKNOWN_SIZE, info, tracks]);
}

/**
 * Cluster header, Timestamp and SimpleBlock header for one frame; the frame's bytes follow unchanged (the
 * caller writes them separately so a multi-megabyte frame is never copied).
 * @param timestampUs frame time in µs (TIMESTAMP_SCALE_NS ticks), an integer ≥ 0
 * @param dataLength frame size in bytes
 * @throws RangeError for a negative or fractional timestamp.
 */
export function matroskaFrameHeader(timestampUs: number, dataLength: number): Buffer {
  if (!Number.isSafeInteger(timestampUs) || timestampUs < 0) {
    throw new RangeError(`Matroska cluster timestamp must be a non-negative integer of µs, got ${timestampUs}`);
  }
  const timestamp = uint(ID.Timestamp, timestampUs);
  const blockSize = SIMPLE_BLOCK_PREFIX.length + dataLength;
  const blockHeader = Buffer.concat([idBytes(ID.SimpleBlock), vintSize(blockSize), SIMPLE_BLOCK_PREFIX]);
  const clusterSize = timestamp.length + blockHeader.length + dataLength;
  return Buffer.concat([idBytes(ID.Cluster), vintSize(clusterSize), timestamp, blockHeader]);
}

function element(id: number, children: readonly Buffer[]): Buffer {
  const body = Buffer.concat(children);
  return Buffer.concat([idBytes(id), vintSize(body.length), body]);
}

function uint(id: number, value: number): Buffer {
  let v = BigInt(value);
  const bytes: number[] = [];
  do {
    bytes.unshift(Number(v & 0xffn));
    v >>= 8n;
  } while (v > 0n);
  return element(id, [Buffer.from(bytes)]);
}

function ascii(id: number, text: string): Buffer {
  return element(id, [Buffer.from(text, 'ascii')]);
}

/** Element IDs are written as they are specified: their length marker is part of the value. */
function idBytes(id: number): Buffer {
  const bytes: number[] = [];
  for (let v = id; v > 0; v = Math.floor(v / 256)) bytes.unshift(v & 0xff);
  return Buffer.from(bytes);
}

/** Smallest EBML variable-size integer for `size` (all-ones is reserved for "unknown"). */
export function vintSize(size: number): Buffer {
  for (let length = 1; length <= 8; length++) {
    const max = 2 ** (7 * length) - 1;
    if (size < max) {
      const bytes = Buffer.alloc(length);
      let v = size;
      for (let i = length - 1; i >= 0; i--) {
        bytes[i] = v % 256;
        v = Math.floor(v / 256);
      }
      bytes[0] |= 0x80 >> (length - 1);
      return bytes;
    }
  }
  throw new RangeError(`EBML size too large: ${size}`);
}
