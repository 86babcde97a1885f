/** A mount's fan-out with recording outputs: keyframe gate, in-band SPS/PPS, per-session stamps, slow readers, audio. */
import { describe, expect, it } from 'vitest';
import type { H264AccessUnit } from '../../src/egress/h264-access-unit.js';
import type { AudioFormat, AudioUnit } from '../../src/ingest/audio-unit.js';
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
  const s = new RtspSession(mount.path);
  s.setup('video', { kind: 'tcp', channels: [0, 1], record: false }, out, mount.video.ssrc);
  mount.add(s);
  return { s, first: s.play()[0] };
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

  it('makes a slow reader skip to the next keyframe instead of queueing, and counts every frame it skipped', () => {
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
    expect(s.dropped).toBe(2);
    // A client joining waits for a keyframe too, but has lost nothing: not counted.
    const late = session(mount, recorder()).s;
    mount.write(p(14400));
    expect(late.dropped).toBe(0);
    // The mount's total keeps what sessions that ended had dropped.
    expect(mount.clientDrops).toBe(2);
    mount.remove(s);
    expect(mount.clientDrops).toBe(2);
  });

  it('ends its sessions and refuses writes once closed', async () => {
    let ended = 0;
    let unmounted = false;
    const mount = new RtspMount('/cam', () => (unmounted = true));
    const s = new RtspSession('/cam', () => ended++);
    s.setup('video', { kind: 'tcp', channels: [0, 1], record: false }, recorder(), 1);
    mount.add(s);
    await mount.close();
    expect([ended, unmounted, mount.clients]).toEqual([1, true, 0]);
    expect(() => mount.write(p(0))).toThrow('RTSP mount /cam is closed; it takes no more video.');
  });

  it('serves audio as a second track: it starts with the first keyframe, both tracks report one clock, and a format the client was not told of is not sent', () => {
    const aac: AudioFormat = { codec: 'aac', sampleRate: 48_000, channels: 1, config: Buffer.from([0x11, 0x88]) };
    const frame = (pts90k: number): AudioUnit => ({ format: aac, data: Buffer.alloc(200, 1), pts90k, samples: 1024 });
    const mount = new RtspMount('/cam', () => {});
    mount.writeAudio(frame(0));
    expect(mount.audio).toBe(aac); // known before any client: the SDP can offer it
    const video = recorder(), audio = recorder();
    const s = new RtspSession('/cam');
    s.setup('video', { kind: 'tcp', channels: [0, 1], record: false }, video, mount.video.ssrc);
    s.setup('audio', { kind: 'tcp', channels: [2, 3], record: false }, audio, mount.audioSsrc, aac);
    mount.add(s);
    const [v, a] = s.play();
    expect([v.kind, a.kind]).toEqual(['video', 'audio']);
    mount.writeAudio(frame(1920)); // before the first keyframe: the client could not play it in sync
    mount.write(idr(3600, true));
    mount.writeAudio(frame(3840));
    mount.writeAudio(frame(5760));
    expect(audio.packets.map(rtpTimestamp)).toEqual([a.rtptime! + 128, a.rtptime! + 1152]); // (pts - 3600) × 48000 / 90000
    expect(audio.packets[0][1] & 0x7f).toBe(97);
    // One report per track right after its first packet, then both at the same instant: the same media time.
    s.report(Date.now() + 5000);
    const [vr, ar] = [video.rtcp[1], audio.rtcp[1]];
    const secondsOf = (sr: Buffer, base: number, rate: number) => (sr.readUInt32BE(16) - base) / rate;
    expect(secondsOf(ar, a.rtptime!, 48_000)).toBeCloseTo(secondsOf(vr, v.rtptime!, 90_000), 3);
    expect(vr.readUInt32BE(8)).toBe(ar.readUInt32BE(8)); // same NTP seconds
    // The camera switches to G.711: this client was told AAC at 48 kHz, so it gets no audio it cannot play.
    mount.writeAudio({ format: { codec: 'pcmu', sampleRate: 8000, channels: 1 }, data: Buffer.alloc(160), pts90k: 7680, samples: 160 });
    expect(audio.packets).toHaveLength(2);
    mount.writeAudio(frame(9600));
    expect(audio.packets).toHaveLength(3);
  });

  it('describes the stream once SPS/PPS are known, and, when audio is expected, its format too (or after the wait)', async () => {
    const mount = new RtspMount('/cam', () => {});
    mount.expectAudio();
    let ready = false;
    const described = mount.whenDescribable(5000).then(() => (ready = true));
    mount.write(idr(0, true));
    await Promise.resolve();
    expect(ready).toBe(false); // the audio's format is not known yet
    mount.writeAudio({ format: { codec: 'pcma', sampleRate: 8000, channels: 1 }, data: Buffer.alloc(160), pts90k: 0, samples: 160 });
    await described;
    const late = new RtspMount('/late', () => {});
    late.expectAudio();
    late.write(idr(0, true));
    const t0 = Date.now();
    await late.whenDescribable(50); // no audio came: the SDP goes out with the video alone
    expect(Date.now() - t0).toBeGreaterThanOrEqual(45);
  });
});
