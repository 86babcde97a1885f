/**
 * RTCP compound packet a sender emits (RFC 3550 §6.4.1 SR + §6.5 SDES CNAME): maps the stream's RTP
 * timestamps to wall-clock (NTP) time, so receivers can measure delay and sync streams, and says how
 * much was sent.
 */
import { mod32 } from './rtp-packet.js';

/** How often senders report: RFC 3550 §6.2 allows 5 s as the minimum interval. */
export const SENDER_REPORT_INTERVAL_MS = 5000;

/** Seconds from 1900-01-01 (NTP epoch) to 1970-01-01 (Unix epoch). */
const NTP_UNIX_OFFSET_S = 2_208_988_800;

export interface SenderReport {
  readonly ssrc: number;
  /** Wall-clock time of the report, ms since the Unix epoch. */
  readonly wallMs: number;
  /** RTP timestamp of the same instant. */
  readonly rtpTimestamp: number;
  readonly packets: number;
  /** Payload bytes sent (RTP headers excluded). */
  readonly octets: number;
  /** Canonical name of the source (RFC 3550 §6.5.1). */
  readonly cname: string;
}

export function rtcpSenderReport(r: SenderReport): Buffer {
  const sr = Buffer.alloc(28);
  sr[0] = 0x80; // V=2, no padding, no report blocks
  sr[1] = 200; // SR
  sr.writeUInt16BE(sr.length / 4 - 1, 2);
  sr.writeUInt32BE(r.ssrc >>> 0, 4);
  const seconds = Math.floor(r.wallMs / 1000);
  sr.writeUInt32BE((seconds + NTP_UNIX_OFFSET_S) >>> 0, 8);
  sr.writeUInt32BE(Math.floor(((r.wallMs - seconds * 1000) / 1000) * 2 ** 32) >>> 0, 12);
  sr.writeUInt32BE(mod32(r.rtpTimestamp), 16);
  sr.writeUInt32BE(r.packets >>> 0, 20);
  sr.writeUInt32BE(r.octets >>> 0, 24);

  const name = Buffer.from(r.cname.slice(0, 255));
  // Chunk: SSRC, CNAME item (type 1, length, text), then at least one zero byte to a 32-bit boundary.
  const chunkLength = Math.ceil((4 + 2 + name.length + 1) / 4) * 4;
  const sdes = Buffer.alloc(4 + chunkLength);
  sdes[0] = 0x81; // V=2, one chunk
  sdes[1] = 202; // SDES
  sdes.writeUInt16BE(sdes.length / 4 - 1, 2);
  sdes.writeUInt32BE(r.ssrc >>> 0, 4);
  sdes[8] = 1;
  sdes[9] = name.length;
  name.copy(sdes, 10);
  return Buffer.concat([sr, sdes]);
}
