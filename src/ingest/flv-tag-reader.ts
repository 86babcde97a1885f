/**
 * Splits an FLV byte stream (what ffmpeg writes to a pipe with `-f flv`) into its tags, chunk by chunk:
 * FLV frames every tag with its size, so a tag is complete the moment its last byte arrives. Tag payloads
 * are left to the readers of each stream (`flv-h264-reader.ts`, `flv-audio-reader.ts`). Pure: bytes in,
 * tags out.
 */

const FLV_HEADER_BYTES = 9;
const PREVIOUS_TAG_SIZE_BYTES = 4;
const TAG_HEADER_BYTES = 11;
/** ffmpeg's FLV muxer writes 31-bit ms timestamps (the extended byte's top bit stays 0: FLV's are signed). */
const TIMESTAMP_WRAP = 2 ** 31;

/** FLV tag types (FLV spec §E.4.1): the low 5 bits of a tag's first byte. */
export const FlvTagType = { AUDIO: 8, VIDEO: 9 } as const;

export interface FlvTag {
  readonly type: number;
  /** Decode time in ms, unwrapped: keeps counting up past the 31-bit wrap (24.8 days of stream). */
  readonly ms: number;
  /** The tag's payload, copied out of the chunk it arrived in. */
  readonly data: Buffer;
}

export class FlvTagReader {
  private buffer: Buffer = Buffer.alloc(0);
  private headerDone = false;
  private last: { raw: number; ms: number } | undefined;

  /** @param what names the stream in errors, e.g. 'encoder output' */
  constructor(private readonly what: string) {}

  /**
   * @returns the tags completed by this chunk, in order
   * @throws Error when the bytes do not start with an FLV header
   * @example
   * new FlvTagReader('encoder output').push(stdoutChunk) // [{ type: 9, ms: 40, data: <Buffer 27 01 …> }]
   */
  push(chunk: Buffer): FlvTag[] {
    this.buffer = this.buffer.length ? Buffer.concat([this.buffer, chunk]) : chunk;
    const out: FlvTag[] = [];
    if (!this.headerDone) {
      if (this.buffer.length < FLV_HEADER_BYTES + PREVIOUS_TAG_SIZE_BYTES) return out;
      if (this.buffer.toString('latin1', 0, 3) !== 'FLV') throw new Error(`${this.what} is not FLV`);
      this.buffer = this.buffer.subarray(this.buffer.readUInt32BE(5) + PREVIOUS_TAG_SIZE_BYTES);
      this.headerDone = true;
    }
    while (this.buffer.length >= TAG_HEADER_BYTES) {
      const size = this.buffer.readUIntBE(1, 3);
      const total = TAG_HEADER_BYTES + size + PREVIOUS_TAG_SIZE_BYTES;
      if (this.buffer.length < total) break;
      const raw = (this.buffer.readUIntBE(4, 3) + this.buffer[7] * 2 ** 24) % TIMESTAMP_WRAP;
      // Copied: the tag's bytes must not pin the (possibly much larger) chunk they arrived in.
      out.push({ type: this.buffer[0] & 0x1f, ms: this.unwrap(raw), data: Buffer.from(this.buffer.subarray(TAG_HEADER_BYTES, TAG_HEADER_BYTES + size)) });
      this.buffer = this.buffer.subarray(total);
    }
    return out;
  }

  /**
   * Time since the last tag, taken as the shortest way round the wrap: audio and video tags interleave a
   * little out of order, so a tag just before the wrap may come after one just past it.
   */
  private unwrap(raw: number): number {
    const step = this.last ? ((raw - this.last.raw + TIMESTAMP_WRAP * 1.5) % TIMESTAMP_WRAP) - TIMESTAMP_WRAP / 2 : raw;
    this.last = { raw, ms: (this.last?.ms ?? 0) + step };
    return this.last.ms;
  }
}
