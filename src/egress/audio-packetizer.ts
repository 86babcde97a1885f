/**
 * Audio frame → RTP packets. AAC goes as RFC 3640 mpeg4-generic, mode AAC-hbr: one access unit per packet
 * behind a one-entry AU-header section, a unit too large for one packet fragmented (§3.2.3). G.711 goes as
 * RFC 3551 PCMA/PCMU: the bytes split on whole sample frames, each packet stamped with its first sample.
 */
import type { AudioFormat, AudioUnit } from '../ingest/audio-unit.js';
import { DEFAULT_RTP_PACKET_BYTES, type PacketizeOptions } from './h264-packetizer.js';
import { RTP_HEADER_BYTES, rtpPacket } from './rtp-packet.js';

/** RFC 3551 §6 static payload types (8 kHz mono); anything else takes a dynamic one. */
const PCMU_PAYLOAD_TYPE = 0;
const PCMA_PAYLOAD_TYPE = 8;
const DYNAMIC_PAYLOAD_TYPE = 97;
/** AU-headers-length (16 bits, counting AU-header bits) + one AU-header: 13-bit AU-size, 3-bit AU-Index 0. */
const AU_HEADER_SECTION_BYTES = 4;
const AU_SIZE_BITS = 13;

export interface AudioPacketizeOptions extends PacketizeOptions {
  /** RTP timestamp of the unit's first sample, on the track's clock (its sample rate). */
  readonly timestamp: number;
}

/**
 * @example
 * audioPayloadType({ codec: 'pcma', sampleRate: 8000, channels: 1 }) // 8
 * audioPayloadType({ codec: 'aac', sampleRate: 48000, channels: 1, config }) // 97
 */
export function audioPayloadType(format: AudioFormat): number {
  const static8k = format.sampleRate === 8000 && format.channels === 1;
  if (static8k && format.codec === 'pcma') return PCMA_PAYLOAD_TYPE;
  if (static8k && format.codec === 'pcmu') return PCMU_PAYLOAD_TYPE;
  return DYNAMIC_PAYLOAD_TYPE;
}

/**
 * @returns the unit's RTP packets in sending order
 * @throws Error for an AAC access unit over 8191 bytes (AAC-hbr's 13-bit AU-size; AAC frames stay far below)
 */
export function packetizeAudio(unit: AudioUnit, o: AudioPacketizeOptions): Buffer[] {
  const maxPayload = (o.maxPacketBytes ?? DEFAULT_RTP_PACKET_BYTES) - RTP_HEADER_BYTES;
  const packet = (i: number, marker: boolean, timestamp: number, ...payload: Buffer[]): Buffer =>
    rtpPacket({ marker, payloadType: o.payloadType, sequence: o.sequence + i, timestamp, ssrc: o.ssrc }, ...payload);
  if (unit.format.codec === 'aac') {
    const au = unit.data;
    if (au.length >= 2 ** AU_SIZE_BITS) throw new Error(`AAC access unit of ${au.length} bytes is too large for RTP (AAC-hbr)`);
    const header = Buffer.alloc(AU_HEADER_SECTION_BYTES);
    header.writeUInt16BE(16, 0);
    header.writeUInt16BE(au.length << 3, 2);
    // Every fragment repeats the header with the whole unit's size: that is how a receiver knows more follows.
    const fragments = slices(au, maxPayload - AU_HEADER_SECTION_BYTES);
    return fragments.map((f, i) => packet(i, i === fragments.length - 1, o.timestamp, header, f));
  }
  const frameBytes = unit.format.channels;
  return slices(unit.data, Math.floor(maxPayload / frameBytes) * frameBytes).map((s, i, all) =>
    packet(i, false, o.timestamp + (i * all[0].length) / frameBytes, s),
  );
}

/** `data` cut into pieces of at most `size` bytes. */
function slices(data: Buffer, size: number): Buffer[] {
  if (size <= 0) throw new Error('RTP packet size leaves no room for audio');
  const out: Buffer[] = [];
  for (let at = 0; at < data.length; at += size) out.push(data.subarray(at, at + size));
  return out;
}
