/**
 * Splits an H.264 Annex-B byte stream (ffmpeg `-f h264`, x264 output) into access units, chunk by chunk,
 * as the bytes arrive from a pipe. Access units are delimited per H.264 §7.4.1.2.3: an AUD, or an SEI, SPS
 * or PPS after a slice, or a slice whose first_mb_in_slice is 0 after a slice. Streams with AUDs
 * (`-bsf:v h264_metadata=aud=insert`, x264 `aud=1`) are split at once; without AUDs an access unit is
 * only known complete when the next one starts, one frame later.
 */
import { NalType, nalType, type H264AccessUnit } from './h264-access-unit.js';

const START_CODE = Buffer.from([0, 0, 1]);

export interface AnnexBParserOptions {
  /** Frames per second that stamps pts90k = index × 90000 / frameRate; default 25. Live callers may restamp. */
  readonly frameRate?: number;
}

export class AnnexBParser {
  /** Bytes not yet split: the NAL unit after the last start code found (or garbage before the first). */
  private buffer: Buffer = Buffer.alloc(0);
  private inNal = false;
  /** Where the next start-code search begins, so a long NAL unit is not rescanned on every chunk. */
  private scanFrom = 0;
  private nalus: Buffer[] = [];
  private hasSlice = false;
  private keyframe = false;
  private index = 0;
  private readonly frameRate: number;

  constructor(options: AnnexBParserOptions = {}) {
    this.frameRate = options.frameRate ?? 25;
  }

  /** @returns the access units completed by this chunk, in order */
  push(chunk: Buffer): H264AccessUnit[] {
    const out: H264AccessUnit[] = [];
    this.buffer = this.buffer.length > 0 ? Buffer.concat([this.buffer, chunk]) : chunk;
    for (;;) {
      const at = this.buffer.indexOf(START_CODE, this.scanFrom);
      if (at < 0) break;
      if (this.inNal) this.takeNal(this.buffer.subarray(0, at), out);
      this.buffer = this.buffer.subarray(at + 3);
      this.inNal = true;
      this.scanFrom = 0;
    }
    // A start code may straddle this chunk and the next: rescan the last two bytes.
    this.scanFrom = Math.max(0, this.buffer.length - 2);
    if (!this.inNal) {
      this.buffer = this.buffer.subarray(this.scanFrom);
      this.scanFrom = 0;
    }
    return out;
  }

  /** Ends the stream. @returns the last access unit, if any */
  flush(): H264AccessUnit[] {
    const out: H264AccessUnit[] = [];
    if (this.inNal) this.takeNal(this.buffer, out);
    this.buffer = Buffer.alloc(0);
    this.inNal = false;
    this.scanFrom = 0;
    this.emit(out);
    return out;
  }

  private takeNal(bytes: Buffer, out: H264AccessUnit[]): void {
    // Zero bytes before a start code are the 4-byte form's leading zero or trailing_zero_8bits, not NAL data.
    let end = bytes.length;
    while (end > 0 && bytes[end - 1] === 0) end--;
    if (end === 0) return;
    // Copied so that a small NAL unit does not pin the large chunk it arrived in.
    const nalu = Buffer.from(bytes.subarray(0, end));
    const type = nalType(nalu);
    const slice = type === NalType.SLICE || type === NalType.IDR;
    const startsAccessUnit =
      type === NalType.AUD ||
      (this.hasSlice && (type === NalType.SEI || type === NalType.SPS || type === NalType.PPS || (type >= 14 && type <= 18))) ||
      // first_mb_in_slice is ue(v) and 0 is coded as the single bit 1.
      (this.hasSlice && slice && nalu.length > 1 && (nalu[1] & 0x80) !== 0);
    if (startsAccessUnit) this.emit(out);
    // AUDs are dropped: RTP marks access-unit ends with the marker bit instead.
    if (type === NalType.AUD) return;
    this.nalus.push(nalu);
    if (slice) this.hasSlice = true;
    if (type === NalType.IDR) this.keyframe = true;
  }

  private emit(out: H264AccessUnit[]): void {
    // Parameter sets or SEI without a slice yet belong to the next picture.
    if (!this.hasSlice) return;
    out.push({ nalus: this.nalus, pts90k: Math.round((this.index * 90000) / this.frameRate), keyframe: this.keyframe });
    this.index++;
    this.nalus = [];
    this.hasSlice = false;
    this.keyframe = false;
  }
}
