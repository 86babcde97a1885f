/**
 * RTP packets → H.264 access units (RFC 6184, packetization-mode 0 and 1): single NAL unit packets,
 * STAP-A aggregates and FU-A fragments. An access unit ends at the marker bit or when the timestamp
 * changes. After a lost packet everything is dropped up to the next keyframe, so no broken picture is
 * passed on.
 */
import { NalType, type H264AccessUnit } from './h264-access-unit.js';

export class H264Depacketizer {
  private nalus: Buffer[] = [];
  private timestamp: number | undefined;
  private fragments: Buffer[] | undefined;
  private nextSequence: number | undefined;
  private waitingForKeyframe = true;
  /** The access unit being collected lost a packet: it is dropped whole. */
  private damaged = false;
  /** pts90k of the last access unit: RTP time counted from the first one, unwrapped. */
  private extended: number | undefined;
  private lastRaw = 0;
  /** Packets lost (sequence gaps), for logs. */
  lost = 0;

  /** @returns the access units this packet completed (usually none or one) */
  push(packet: Buffer): H264AccessUnit[] {
    if (packet.length < 12 || packet[0] >> 6 !== 2) return [];
    const out: H264AccessUnit[] = [];
    const sequence = packet.readUInt16BE(2);
    const timestamp = packet.readUInt32BE(4);
    const marker = (packet[1] & 0x80) !== 0;
    if (this.nextSequence !== undefined && sequence !== this.nextSequence) {
      this.lost += (sequence - this.nextSequence + 0x10000) & 0xffff;
      this.nalus = [];
      this.fragments = undefined;
      this.waitingForKeyframe = true;
      this.damaged = true;
    }
    this.nextSequence = (sequence + 1) & 0xffff;
    if (this.timestamp !== undefined && timestamp !== this.timestamp) this.emit(out);
    this.timestamp = timestamp;
    this.take(payloadOf(packet));
    if (marker) this.emit(out);
    return out;
  }

  private take(payload: Buffer): void {
    if (payload.length === 0) return;
    const type = payload[0] & 0x1f;
    if (type >= 1 && type <= 23) {
      this.nalus.push(Buffer.from(payload));
    } else if (type === NalType.STAP_A) {
      for (let at = 1; at + 2 <= payload.length; ) {
        const size = payload.readUInt16BE(at);
        if (size === 0 || at + 2 + size > payload.length) break;
        this.nalus.push(Buffer.from(payload.subarray(at + 2, at + 2 + size)));
        at += 2 + size;
      }
    } else if (type === NalType.FU_A && payload.length > 2) {
      const start = (payload[1] & 0x80) !== 0;
      const end = (payload[1] & 0x40) !== 0;
      if (start) this.fragments = [Buffer.from([(payload[0] & 0xe0) | (payload[1] & 0x1f)])];
      if (!this.fragments) return; // the start was lost
      this.fragments.push(payload.subarray(2));
      if (end) {
        this.nalus.push(Buffer.concat(this.fragments));
        this.fragments = undefined;
      }
    }
    // STAP-B, MTAP and FU-B (interleaved mode) are not used by mode 1 senders: ignored.
  }

  private emit(out: H264AccessUnit[]): void {
    const nalus = this.nalus;
    const damaged = this.damaged;
    this.nalus = [];
    this.fragments = undefined;
    this.damaged = false;
    if (damaged || nalus.length === 0 || this.timestamp === undefined) return;
    const keyframe = nalus.some((n) => (n[0] & 0x1f) === NalType.IDR);
    if (this.waitingForKeyframe && !keyframe) return;
    this.waitingForKeyframe = false;
    out.push({ nalus, pts90k: this.unwrap(this.timestamp), keyframe });
  }

  private unwrap(raw: number): number {
    // The signed 32-bit step from the last timestamp carries the count across wraps (and late packets).
    this.extended = this.extended === undefined ? 0 : this.extended + ((raw - this.lastRaw) | 0);
    this.lastRaw = raw;
    return this.extended;
  }
}

/** The RTP payload: after CSRCs and a header extension, without padding (RFC 3550 §5.1, §5.3.1). */
function payloadOf(packet: Buffer): Buffer {
  let at = 12 + (packet[0] & 0x0f) * 4;
  if (packet[0] & 0x10 && packet.length >= at + 4) at += 4 + packet.readUInt16BE(at + 2) * 4;
  const padding = packet[0] & 0x20 ? packet[packet.length - 1] : 0;
  return at <= packet.length - padding ? packet.subarray(at, packet.length - padding) : Buffer.alloc(0);
}
