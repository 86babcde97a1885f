/**
 * H.264 access unit → RTP packets (RFC 6184, packetization-mode=1): a NAL unit that fits is sent as a
 * single NAL unit packet (§5.6), a larger one as FU-A fragments (§5.8). The marker bit is set on the last
 * packet of the access unit (§5.1); every packet of it carries its pts on the 90 kHz clock.
 */
import { NalType, type H264AccessUnit } from './h264-access-unit.js';
import { RTP_HEADER_BYTES, rtpPacket } from './rtp-packet.js';

/** RTP packet size (header included): 1400 leaves room for IP/UDP headers and tunnels under a 1500-byte MTU. */
export const DEFAULT_RTP_PACKET_BYTES = 1400;

export interface PacketizeOptions {
  readonly payloadType: number;
  readonly ssrc: number;
  /** First sequence number; the packets count up from it (mod 2^16). */
  readonly sequence: number;
  /** Largest RTP packet, header included; default 1400. */
  readonly maxPacketBytes?: number;
}

/** @returns the access unit's RTP packets in sending order */
export function packetizeH264(au: H264AccessUnit, o: PacketizeOptions): Buffer[] {
  const maxPayload = (o.maxPacketBytes ?? DEFAULT_RTP_PACKET_BYTES) - RTP_HEADER_BYTES;
  const payloads: Buffer[][] = [];
  for (const nalu of au.nalus) {
    if (nalu.length <= maxPayload) {
      payloads.push([nalu]);
      continue;
    }
    // FU indicator keeps F and NRI, type 28; FU header: S, E, and the original type. The NAL header byte
    // itself is not sent: the receiver rebuilds it from the two.
    const indicator = (nalu[0] & 0xe0) | NalType.FU_A;
    const type = nalu[0] & 0x1f;
    const step = maxPayload - 2;
    for (let at = 1; at < nalu.length; at += step) {
      const end = Math.min(at + step, nalu.length);
      const header = (at === 1 ? 0x80 : 0) | (end === nalu.length ? 0x40 : 0) | type;
      payloads.push([Buffer.from([indicator, header]), nalu.subarray(at, end)]);
    }
  }
  return payloads.map((payload, i) =>
    rtpPacket({ marker: i === payloads.length - 1, payloadType: o.payloadType, sequence: o.sequence + i, timestamp: au.pts90k, ssrc: o.ssrc }, ...payload),
  );
}
