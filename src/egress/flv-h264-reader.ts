/**
 * Reads the live encoder's output: H.264 in FLV, chunk by chunk from a pipe. FLV frames every packet with
 * its size (`flv-tag-reader.ts`), so an access unit is complete the moment its last byte arrives (Annex-B
 * only shows an access unit's end when the next one starts, a frame later). Parameter sets come once, in
 * the AVC sequence header; they are put back in front of every keyframe, as RTSP clients joining
 * mid-stream need them.
 * Pure: bytes in, access units out.
 */
import type { H264AccessUnit } from './h264-access-unit.js';
import { FlvTagReader, FlvTagType } from '../ingest/flv-tag-reader.js';

const CODEC_AVC = 7;
const AVC_SEQUENCE_HEADER = 0;
const AVC_NALU = 1;

/** One coded picture as FLV carries it; pts90k is left to the caller, who knows the frame's exact time. */
export type FlvAccessUnit = Omit<H264AccessUnit, 'pts90k'> & { readonly ptsMs: number };

export class FlvH264Reader {
  private readonly tags = new FlvTagReader('encoder output');
  private lengthSize = 4;
  private parameterSets: Buffer[] = [];

  /**
   * @returns the access units completed by this chunk, in order
   * @throws Error when the bytes are not FLV with AVC video
   */
  push(chunk: Buffer): FlvAccessUnit[] {
    const out: FlvAccessUnit[] = [];
    for (const tag of this.tags.push(chunk)) if (tag.type === FlvTagType.VIDEO) this.video(tag.data, tag.ms, out);
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
