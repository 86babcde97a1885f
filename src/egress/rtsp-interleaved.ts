/**
 * RTP and RTCP inside the RTSP TCP connection (RFC 2326 §10.12): `$`, a channel byte, a 16-bit length,
 * then the packet.
 */

export const INTERLEAVED_MAGIC = 0x24; // '$'

export interface InterleavedFrame {
  readonly channel: number;
  readonly data: Buffer;
}

/** One frame: `$`, channel, length, packet. */
export function interleavedFrame(channel: number, packet: Buffer): Buffer {
  const frame = Buffer.allocUnsafe(4 + packet.length);
  frame[0] = INTERLEAVED_MAGIC;
  frame[1] = channel;
  frame.writeUInt16BE(packet.length, 2);
  packet.copy(frame, 4);
  return frame;
}

/**
 * Reads the frame that starts at `offset` (where `buffer[offset]` is `$`).
 * @returns the frame and the offset after it, or undefined while it is incomplete
 */
export function readInterleavedFrame(buffer: Buffer, offset: number): { frame: InterleavedFrame; next: number } | undefined {
  if (buffer.length < offset + 4) return undefined;
  const length = buffer.readUInt16BE(offset + 2);
  const end = offset + 4 + length;
  if (buffer.length < end) return undefined;
  return { frame: { channel: buffer[offset + 1], data: buffer.subarray(offset + 4, end) }, next: end };
}
