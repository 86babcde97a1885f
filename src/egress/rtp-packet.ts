/** RTP fixed header (RFC 3550 §5.1): written once per packet, restamped per receiver. */

export const RTP_HEADER_BYTES = 12;

export interface RtpHeader {
  readonly marker: boolean;
  readonly payloadType: number;
  readonly sequence: number;
  /** Media clock ticks; taken modulo 2^32. */
  readonly timestamp: number;
  readonly ssrc: number;
}

/** A packet: version 2, no padding, extension or CSRCs. */
export function rtpPacket(header: RtpHeader, ...payload: Buffer[]): Buffer {
  const packet = Buffer.allocUnsafe(RTP_HEADER_BYTES + payload.reduce((n, p) => n + p.length, 0));
  packet[0] = 0x80;
  packet[1] = (header.marker ? 0x80 : 0) | (header.payloadType & 0x7f);
  packet.writeUInt16BE(header.sequence & 0xffff, 2);
  packet.writeUInt32BE(mod32(header.timestamp), 4);
  packet.writeUInt32BE(header.ssrc >>> 0, 8);
  let at = RTP_HEADER_BYTES;
  for (const p of payload) at += p.copy(packet, at);
  return packet;
}

/** A copy of `packet` with a receiver's own sequence number and timestamp (each receiver starts where it joins). */
export function restamp(packet: Buffer, sequence: number, timestamp: number): Buffer {
  const copy = Buffer.from(packet);
  copy.writeUInt16BE(sequence & 0xffff, 2);
  copy.writeUInt32BE(mod32(timestamp), 4);
  return copy;
}

export const rtpSequence = (packet: Buffer): number => packet.readUInt16BE(2);
export const rtpTimestamp = (packet: Buffer): number => packet.readUInt32BE(4);
export const rtpMarker = (packet: Buffer): boolean => (packet[1] & 0x80) !== 0;

/** `n` modulo 2^32 as an unsigned 32-bit value (RTP timestamps wrap). */
export function mod32(n: number): number {
  return ((Math.round(n) % 2 ** 32) + 2 ** 32) % 2 ** 32;
}
