/** A mount's fan-out with recording outputs: keyframe gate, in-band SPS/PPS, per-session stamps, slow readers. */
import { describe, expect, it } from 'vitest';
import type { H264AccessUnit } from '../../src/egress/h264-access-unit.js';
import { rtpSequence, rtpTimestamp } from '../../src/egress/rtp-packet.js';
import { RtspMount } from '../../src/egress/rtsp-mount.js';
import { RtspSession, type RtpOutput } from '../../src/egress/rtsp-session.js';

const sps = Buffer.from([0x67, 0x42, 0, 0x1e]);
const pps = Buffer.from([0x68, 0xce]);
const idr = (pts: number, withParams = false): H264AccessUnit => ({ nalus: [...(withParams ? [sps, pps] : []), Buffer.from([0x65, 0x88, 1])], pts90k: pts, keyframe: true });
const p = (pts: number): H264AccessUnit => ({ nalus: [Buffer.from([0x41, 0x9a, 2])], pts90k: pts, keyframe: false });

function recorder(): RtpOutput & { packets: Buffer[]; rtcp: Buffer[]; full: boolean } {
  const out = { packets: [] as Buffer[], rtcp: [] as Buffer[], full: false, send: (b: Buffer) => out.packets.push(b), sendRtcp: (b: Buffer) => out.rtcp.push(b), congested: () => out.full };
  return out;
}

function session(mount: RtspMount, out: RtpOutput): { s: RtspSession; first: { seq: number; rtptime?: number } } {
  const s = new RtspSession(mount.path, { kind: 'tcp', channels: [0, 1], record: false }, out, mount.ssrc);
  mount.add(s);
  return { s, first: s.play() };
}

describe('RtspMount', () => {
  it('starts each session at a keyframe with SPS/PPS in band, with its own sequence and timestamps', () => {
    const mount = new RtspMount('/cam', () => {});
    mount.write(idr(0, true)); // nobody watches yet: only the parameter sets are kept
    const a = recorder();
    const { first } = session(mount, a);
    mount.write(p(3600)); // not decodable alone: skipped
    mount.write(idr(7200));
    mount.write(p(10800));
    const types = a.packets.map((b) => b[12] & 0x1f);
    expect(types).toEqual([7, 8, 5, 1]);
    expect(rtpSequence(a.packets[0])).toBe(first.seq);
    expect(a.packets.map(rtpTimestamp)).toEqual([first.rtptime, first.rtptime, first.rtptime, first.rtptime! + 3600]);
    expect(a.rtcp).toHaveLength(1); // a sender report with the first picture
    expect(a.rtcp[0][1]).toBe(200);
    expect(mount.clients).toBe(1);
  });

  it('makes a slow reader skip to the next keyframe instead of queueing, and counts it', () => {
    const mount = new RtspMount('/cam', () => {});
    const slow = recorder();
    const { s } = session(mount, slow);
    mount.write(idr(0, true));
    slow.full = true;
    mount.write(p(3600));
    slow.full = false;
    mount.write(p(7200)); // after a gap: not decodable, skipped
    mount.write(idr(10800));
    expect(slow.packets.map((b) => b[12] & 0x1f)).toEqual([7, 8, 5, 7, 8, 5]);
    expect(s.dropped).toBe(1);
  });

  it('ends its sessions and refuses writes once closed', async () => {
    let ended = 0;
    let unmounted = false;
    const mount = new RtspMount('/cam', () => (unmounted = true));
    mount.add(new RtspSession('/cam', { kind: 'tcp', channels: [0, 1], record: false }, recorder(), 1, () => ended++));
    await mount.close();
    expect([ended, unmounted, mount.clients]).toEqual([1, true, 0]);
    expect(() => mount.write(p(0))).toThrow('RTSP mount /cam is closed; it takes no more video.');
  });
});
