/** The sending side of an H.264 track: remembered parameter sets, in-band before keyframes, one packetizing. */
import { describe, expect, it } from 'vitest';
import type { H264AccessUnit } from '../../src/egress/h264-access-unit.js';
import { H264Sender } from '../../src/egress/h264-sender.js';
import { rtpSequence } from '../../src/egress/rtp-packet.js';

const sps = Buffer.from([0x67, 0x42, 0, 0x1e]);
const pps = Buffer.from([0x68, 0xce]);
const slice = (type: number, bytes = 3) => Buffer.concat([Buffer.from([type]), Buffer.alloc(bytes - 1, 7)]);
const unit = (nalus: Buffer[], keyframe: boolean): H264AccessUnit => ({ nalus, pts90k: 3600, keyframe });

describe('H264Sender', () => {
  it('keeps the last SPS and PPS seen, across units that have none', () => {
    const sender = new H264Sender();
    sender.observe(unit([sps, pps, slice(0x65)], true));
    sender.observe(unit([slice(0x41)], false));
    expect(sender.sps).toEqual(sps);
    expect(sender.pps).toEqual(pps);
    const sps2 = Buffer.from([0x67, 0x64, 0, 0x28]);
    sender.observe(unit([sps2, slice(0x65)], true));
    expect(sender.sps).toEqual(sps2);
    expect(sender.pps).toEqual(pps);
  });

  it('puts the parameter sets in front of a keyframe that lacks them, and of nothing else', () => {
    const sender = new H264Sender();
    sender.observe(unit([sps, pps, slice(0x65)], true));
    expect(sender.packetize(unit([slice(0x65)], true)).unit.nalus.map((n) => n[0])).toEqual([0x67, 0x68, 0x65]);
    expect(sender.packetize(unit([pps, slice(0x65)], true)).unit.nalus.map((n) => n[0])).toEqual([0x67, 0x68, 0x65]);
    expect(sender.packetize(unit([slice(0x41)], false)).unit.nalus.map((n) => n[0])).toEqual([0x41]);
  });

  it('packetizes with its SSRC, numbered from 0, within its packet size', () => {
    const sender = new H264Sender(200);
    const { packets } = sender.packetize(unit([slice(0x41, 1000)], false));
    expect(packets.length).toBeGreaterThan(1);
    expect(packets.map(rtpSequence)).toEqual(packets.map((_, i) => i));
    for (const p of packets) {
      expect(p.length).toBeLessThanOrEqual(200);
      expect(p.readUInt32BE(8)).toBe(sender.ssrc);
    }
  });
});
