/**
 * The sending side of one H.264 RTP track (RFC 6184), as the server's mounts and the publisher both need
 * it: its SSRC, the last SPS/PPS seen (for the SDP, and put in front of every IDR that lacks them, so a
 * receiver can start at any keyframe), and each access unit packetized once for all the sessions it goes to.
 */
import { randomInt } from 'node:crypto';
import { parameterSets, withParameterSets, type H264AccessUnit } from './h264-access-unit.js';
import { packetizeH264 } from './h264-packetizer.js';
import { H264_PAYLOAD_TYPE } from './sdp.js';

export class H264Sender {
  readonly ssrc = randomInt(0, 2 ** 32 - 1);
  sps: Buffer | undefined;
  pps: Buffer | undefined;

  /** @param maxPacketBytes largest RTP packet, header included (default: packetizeH264's) */
  constructor(private readonly maxPacketBytes?: number) {}

  /** Keeps the unit's parameter sets, if it has any. */
  observe(au: H264AccessUnit): void {
    const params = parameterSets(au);
    this.sps = params.sps ?? this.sps;
    this.pps = params.pps ?? this.pps;
  }

  /**
   * @returns the unit as sent (a keyframe with the parameter sets in front) and its RTP packets, numbered
   *   from 0: each session renumbers and restamps them
   */
  packetize(au: H264AccessUnit): { unit: H264AccessUnit; packets: Buffer[] } {
    const unit = au.keyframe ? withParameterSets(au, this.sps, this.pps) : au;
    const packets = packetizeH264(unit, { payloadType: H264_PAYLOAD_TYPE, ssrc: this.ssrc, sequence: 0, ...(this.maxPacketBytes ? { maxPacketBytes: this.maxPacketBytes } : {}) });
    return { unit, packets };
  }
}
