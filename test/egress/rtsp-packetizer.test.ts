/** RFC 6184 packetization and its inverse: single NAL unit packets, STAP-A, FU-A fragments, marker bit and timestamps; RTCP SR. */
import { describe, expect, it } from 'vitest';
import { packetizeH264 } from '../../src/egress/h264-packetizer.js';
import { rtcpSenderReport } from '../../src/egress/rtcp-sender-report.js';
import { restamp, rtpMarker, rtpPacket, rtpSequence, rtpTimestamp } from '../../src/egress/rtp-packet.js';
import { H264Depacketizer } from '../../src/egress/h264-depacketizer.js';

const nal = (header: number, length: number): Buffer => {
  const b = Buffer.alloc(length);
  b[0] = header;
  for (let i = 1; i < length; i++) b[i] = i & 0xff;
  return b;
};
const options = { payloadType: 96, ssrc: 0x12345678, sequence: 65534, maxPacketBytes: 112 }; // 100-byte payloads

describe('packetizeH264', () => {
  it('sends NAL units that fit as single NAL unit packets, marker on the last of the access unit', () => {
    const sps = nal(0x67, 10), pps = nal(0x68, 4), idr = nal(0x65, 100);
    const packets = packetizeH264({ nalus: [sps, pps, idr], pts90k: 2 ** 32 + 3600, keyframe: true }, options);
    expect(packets.map((p) => p.subarray(12))).toEqual([sps, pps, idr]);
    expect(packets.map(rtpMarker)).toEqual([false, false, true]);
    // Sequence numbers wrap at 2^16, timestamps at 2^32.
    expect(packets.map(rtpSequence)).toEqual([65534, 65535, 0]);
    expect(packets.map(rtpTimestamp)).toEqual([3600, 3600, 3600]);
    expect(packets[0].subarray(0, 2)).toEqual(Buffer.from([0x80, 96]));
    expect(packets[0].readUInt32BE(8)).toBe(0x12345678);
  });

  it('fragments a larger NAL unit into FU-A packets that reassemble to it', () => {
    const idr = nal(0x65, 250); // 249 bytes after the header, 98 per fragment: 3 fragments
    const packets = packetizeH264({ nalus: [idr, nal(0x41, 5)], pts90k: 7, keyframe: true }, options);
    expect(packets.map((p) => p.length)).toEqual([112, 112, 12 + 2 + 53, 12 + 5]);
    const fragments = packets.slice(0, 3).map((p) => p.subarray(12));
    for (const f of fragments) expect(f[0]).toBe((0x65 & 0xe0) | 28); // FU indicator: NRI kept, type 28
    expect(fragments.map((f) => f[1])).toEqual([0x80 | 5, 5, 0x40 | 5]); // S, -, E with the IDR type
    const rebuilt = Buffer.concat([Buffer.from([(fragments[0][0] & 0xe0) | (fragments[0][1] & 0x1f)]), ...fragments.map((f) => f.subarray(2))]);
    expect(rebuilt).toEqual(idr);
    expect(packets.map(rtpMarker)).toEqual([false, false, false, true]);
  });

  it('puts the marker on the last fragment when the access unit ends with a fragmented NAL unit', () => {
    const packets = packetizeH264({ nalus: [nal(0x41, 101)], pts90k: 0, keyframe: false }, options);
    expect(packets).toHaveLength(2);
    expect(packets.map(rtpMarker)).toEqual([false, true]);
  });

  it('restamps a copy with a receiver\'s own sequence and timestamp', () => {
    const [packet] = packetizeH264({ nalus: [nal(0x41, 5)], pts90k: 100, keyframe: false }, options);
    const copy = restamp(packet, 70000, -1);
    expect([rtpSequence(copy), rtpTimestamp(copy), rtpSequence(packet)]).toEqual([70000 - 65536, 2 ** 32 - 1, 65534]);
    expect(copy.subarray(8)).toEqual(packet.subarray(8));
  });
});

describe('rtcpSenderReport', () => {
  it('writes SR (NTP time, RTP time, counts) and SDES CNAME as one compound packet', () => {
    const wallMs = Date.UTC(2026, 0, 1) + 250; // NTP seconds 3976214400, a quarter second
    const p = rtcpSenderReport({ ssrc: 0xdeadbeef, wallMs, rtpTimestamp: 2 ** 32 + 90, packets: 12, octets: 3400, cname: 'nullcam' });
    expect([p[0], p[1], p.readUInt16BE(2), p.readUInt32BE(4)]).toEqual([0x80, 200, 6, 0xdeadbeef]);
    expect([p.readUInt32BE(8), p.readUInt32BE(12), p.readUInt32BE(16), p.readUInt32BE(20), p.readUInt32BE(24)]).toEqual([3976214400, 2 ** 30, 90, 12, 3400]);
    const sdes = p.subarray(28);
    expect([sdes[0], sdes[1], sdes.readUInt16BE(2), sdes.readUInt32BE(4), sdes[8], sdes[9]]).toEqual([0x81, 202, 4, 0xdeadbeef, 1, 7]);
    expect(sdes.subarray(10, 17).toString()).toBe('nullcam');
    expect(sdes.length % 4).toBe(0);
    expect(sdes[17]).toBe(0); // the chunk ends with a zero byte
  });
});

describe('H264Depacketizer', () => {
  const sps = nal(0x67, 10), pps = nal(0x68, 4);
  const units = [
    { nalus: [sps, pps, nal(0x65, 250), nal(0x65, 30)], pts90k: 2 ** 32 - 3600, keyframe: true },
    { nalus: [nal(0x41, 101)], pts90k: 0, keyframe: false },
    { nalus: [nal(0x41, 20)], pts90k: 3600, keyframe: false },
  ];
  const stream = (): Buffer[] => {
    let sequence = 65530;
    return units.flatMap((au) => {
      const packets = packetizeH264(au, { ...options, sequence });
      sequence += packets.length;
      return packets;
    });
  };

  it('reassembles what the packetizer sent, counting time across the timestamp wrap', () => {
    const d = new H264Depacketizer();
    const out = stream().flatMap((p) => d.push(p));
    expect(out).toEqual(units.map((au, i) => ({ ...au, pts90k: i * 3600 })));
  });

  it('reads STAP-A aggregates', () => {
    const stap = Buffer.concat([Buffer.from([0x78, 0, sps.length]), sps, Buffer.from([0, pps.length]), pps]);
    const d = new H264Depacketizer();
    const out = [...d.push(rtpPacket({ marker: false, payloadType: 96, sequence: 1, timestamp: 0, ssrc: 1 }, stap)), ...d.push(rtpPacket({ marker: true, payloadType: 96, sequence: 2, timestamp: 0, ssrc: 1 }, nal(0x65, 9)))];
    expect(out).toEqual([{ nalus: [sps, pps, nal(0x65, 9)], pts90k: 0, keyframe: true }]);
  });

  it('drops everything from a lost packet to the next keyframe', () => {
    const packets = stream();
    const d = new H264Depacketizer();
    const out = packets.filter((_, i) => i !== 1).flatMap((p) => d.push(p)); // a fragment of the IDR is lost
    expect(out).toEqual([]);
    expect(d.lost).toBe(1);
  });
});
