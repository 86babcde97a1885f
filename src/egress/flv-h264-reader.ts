/**
 * Reads the live encoder's output: H.264 in FLV, chunk by chunk from a pipe. FLV frames every packet with
 * its size, so an access unit is complete the moment its last byte arrives (Annex-B only shows an access
 * unit's end when the next one starts, a frame later). Parameter sets come once, in the AVC sequence
 * header; they are put back in front of every keyframe, as RTSP clients joining mid-stream need them.
 * Pure: bytes in, access units out.
 */
import type { H264AccessUnit } from './h264-access-unit.js';

const FLV_HEADER_BYTES = 9;
const PREVIOUS_TAG_SIZE_BYTES = 4;
const TAG_HEADER_BYTES = 11;
const TAG_VIDEO = 9;
const CODEC_AVC = 7;
const AVC_SEQUENCE_HEADER = 0;
const AVC_NALU = 1;

/** One coded picture as FLV carries it; pts90k is left to the caller, who knows the frame's exact time. */
export type FlvAccessUnit = Omit<H264AccessUnit, 'pts90k'> & { readonly ptsMs: number };

export class FlvH264Reader {
  private buffer: Buffer = Buffer.alloc(0);
  private headerDone = false;
  private lengthSize = 4;
  private parameterSets: Buffer[] = [];

  /**
   * @returns the access units completed by this chunk, in order
   * @throws Error when the bytes are not FLV with AVC video
   */
  push(chunk: Buffer): FlvAccessUnit[] {
    this.buffer = this.buffer.length ? Buffer.concat([this.buffer, chunk]) : chunk;
    const out: FlvAccessUnit[] = [];
    if (!this.headerDone) {
      if (this.buffer.length < FLV_HEADER_BYTES + PREVIOUS_TAG_SIZE_BYTES) return out;
      if (this.buffer.toString('latin1', 0, 3) !== 'FLV') throw new Error('encoder output is not FLV');
      this.buffer = this.buffer.subarray(this.buffer.readUInt32BE(5) + PREVIOUS_TAG_SIZE_BYTES);
      this.headerDone = true;
    }
    while (this.buffer.length >= TAG_HEADER_BYTES) {
      const size = this.buffer.readUIntBE(1, 3);
      const total = TAG_HEADER_BYTES + size + PREVIOUS_TAG_SIZE_BYTES;
      if (this.buffer.length < total) break;
      const type = this.buffer[0] & 0x1f;
      const ms = this.buffer.readUIntBE(4, 3) | (this.buffer[7] << 24);
      // Copied: the tag's bytes must not pin the (possibly much larger) chunk they arrived in.
      if (type === TAG_VIDEO) this.video(Buffer.from(this.buffer.subarray(TAG_HEADER_BYTES, TAG_HEADER_BYTES + size)), ms, out);
      this.buffer = this.buffer.subarray(total);
    }
    return out;
  }

  private video(data: Buffer, dtsMs: number, out: FlvAccessUnit[]): void {
    if (data.length < 5 || (data[0] & 0x0f) !== CODEC_AVC) throw new Error('encoder output is not H.264');
    const keyframe = data[0] >> 4 === 1;
    const packetType = data[1];
    const ctsMs = data.readIntBE(2, 3);
    const body = data.subarray(5);
    if (packetType === AVC_SEQUENCE_HEADER) {
      const record = parseAvcConfig(body);
      this.lengthSize = record.lengthSize;
      this.parameterSets = [...record.sps, ...record.pps];
      return;
    }
    if (packetType !== AVC_NALU) return;
    const nalus: Buffer[] = [];
    for (let at = 0; at + this.lengthSize <= body.length; ) {
      const n = body.readUIntBE(at, this.lengthSize);
      at += this.lengthSize;
      nalus.push(body.subarray(at, at + n));
      at += n;
    }
    const hasParameterSets = nalus.some((n) => (n[0] & 0x1f) === 7);
    out.push({ nalus: keyframe && !hasParameterSets ? [...this.parameterSets, ...nalus] : nalus, keyframe, ptsMs: dtsMs + ctsMs });
  }
}

/** AVCDecoderConfigurationRecord (ISO/IEC 14496-15 §5.3.3.1): NAL length size, SPS and PPS. */
export function parseAvcConfig(record: Buffer): { lengthSize: number; sps: Buffer[]; pps: Buffer[] } {
  if (record.length < 7 || record[0] !== 1) throw new Error('bad AVC decoder configuration record');
  const lengthSize = (record[4] & 0x03) + 1;
  let at = 5;
  const take = (count: number): Buffer[] => {
    const sets: Buffer[] = [];
    for (let i = 0; i < count; i++) {
      const n = record.readUInt16BE(at);
      sets.push(Buffer.from(record.subarray(at + 2, at + 2 + n)));
      at += 2 + n;
    }
    return sets;
  };
  const sps = take(record[at++] & 0x1f);
  const pps = take(record[at++]);
  return { lengthSize, sps, pps };
}
