/**
 * RFC 3640 AAC-hbr and RFC 3551 G.711 packetization: AU headers, fragments, sample-frame splits, timestamps,
 * payload types; and ffmpeg, given our SDP, decodes the packets of a real clip back to its length.
 */
import { execFileSync, spawn } from 'node:child_process';
import dgram from 'node:dgram';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { audioPayloadType, packetizeAudio } from '../../src/egress/audio-packetizer.js';
import type { AudioFormat } from '../../src/ingest/audio-unit.js';
import { bindRtpUdpPorts } from '../../src/egress/rtp-udp-ports.js';
import { rtpMarker, rtpSequence, rtpTimestamp } from '../../src/egress/rtp-packet.js';
import { sessionSdp } from '../../src/egress/sdp.js';
import { FlvAudioReader } from '../../src/ingest/flv-audio-reader.js';
import { interviewAudioFlv } from '../fixtures/flv.js';
import { tempDir } from '../fixtures/media.js';

const aac: AudioFormat = { codec: 'aac', sampleRate: 48000, channels: 1, config: Buffer.from('1188', 'hex') };
const pcma: AudioFormat = { codec: 'pcma', sampleRate: 8000, channels: 1 };
const data = (n: number): Buffer => Buffer.from(Array.from({ length: n }, (_, i) => (i * 7) & 0xff));
const options = { payloadType: 97, ssrc: 0xcafe, sequence: 65535, timestamp: 2 ** 32 + 480 };

describe('packetizeAudio, AAC', () => {
  it('sends an access unit behind one AU-header (13-bit size, index 0), marker set', () => {
    const au = data(371);
    const [packet, ...rest] = packetizeAudio({ format: aac, data: au, pts90k: 0, samples: 1024 }, options);
    expect(rest).toEqual([]);
    expect(packet.subarray(0, 12)).toEqual(Buffer.from([0x80, 0x80 | 97, 0xff, 0xff, 0, 0, 0x01, 0xe0, 0, 0, 0xca, 0xfe]));
    // AU-headers-length 16 bits; AU-size 371 = 0b101110011, shifted past the 3-bit index.
    expect(packet.subarray(12, 16)).toEqual(Buffer.from([0x00, 0x10, (371 << 3) >> 8, (371 << 3) & 0xff]));
    expect(packet.subarray(16)).toEqual(au);
  });

  it('fragments a unit larger than a packet: every fragment has the full size, the same time, marker on the last', () => {
    const au = data(250);
    const packets = packetizeAudio({ format: aac, data: au, pts90k: 0, samples: 1024 }, { ...options, maxPacketBytes: 112 }); // 96 bytes of AU per packet
    expect(packets.map((p) => p.length)).toEqual([112, 112, 12 + 4 + 58]);
    for (const p of packets) expect([p.readUInt16BE(12), p.readUInt16BE(14) >> 3, p[15] & 7]).toEqual([16, 250, 0]);
    expect(Buffer.concat(packets.map((p) => p.subarray(16)))).toEqual(au);
    expect(packets.map(rtpMarker)).toEqual([false, false, true]);
    expect(packets.map(rtpTimestamp)).toEqual([480, 480, 480]);
    expect(packets.map(rtpSequence)).toEqual([65535, 0, 1]);
  });

  it('refuses a unit AAC-hbr cannot size', () => {
    expect(() => packetizeAudio({ format: aac, data: data(8192), pts90k: 0, samples: 1024 }, options)).toThrow(/too large/);
  });
});

describe('packetizeAudio, G.711', () => {
  it('splits the bytes into full packets, each stamped with its first sample, no marker', () => {
    const bytes = data(2900);
    const packets = packetizeAudio({ format: pcma, data: bytes, pts90k: 0, samples: 2900 }, { ...options, payloadType: 8 });
    expect(packets.map((p) => p.length - 12)).toEqual([1388, 1388, 124]);
    expect(Buffer.concat(packets.map((p) => p.subarray(12)))).toEqual(bytes);
    expect(packets.map(rtpTimestamp)).toEqual([480, 480 + 1388, 480 + 2776]);
    expect(packets.map(rtpMarker)).toEqual([false, false, false]);
    expect(packets.map((p) => p[1])).toEqual([8, 8, 8]);
  });

  it('never splits a stereo sample frame', () => {
    const packets = packetizeAudio({ format: { ...pcma, channels: 2 }, data: data(40), pts90k: 0, samples: 20 }, { ...options, maxPacketBytes: 12 + 15 });
    expect(packets.map((p) => p.length - 12)).toEqual([14, 14, 12]);
    expect(packets.map(rtpTimestamp)).toEqual([480, 487, 494]);
  });
});

describe('audioPayloadType', () => {
  it.each([
    [pcma, 8],
    [{ ...pcma, codec: 'pcmu' as const }, 0],
    [{ ...pcma, channels: 2 }, 97],
    [{ ...pcma, sampleRate: 16000 }, 97],
    [aac, 97],
  ])('%o → %i', (format, pt) => {
    expect(audioPayloadType(format)).toBe(pt);
  });
});

describe('packetizeAudio with ffmpeg as the receiver', () => {
  const tmp = tempDir('nullcam-audio-rtp-');
  afterAll(() => tmp.remove());

  const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

  /** True once something (ffmpeg) holds the UDP port: binding it fails. */
  const bound = (port: number): Promise<boolean> =>
    new Promise((resolve) => {
      const probe = dgram.createSocket('udp4');
      probe.once('error', () => resolve(true));
      probe.bind(port, '127.0.0.1', () => probe.close(() => resolve(false)));
    });

  const untilBound = async (port: number): Promise<boolean> => {
    for (const end = Date.now() + 10_000; Date.now() < end; await sleep(50)) if (await bound(port)) return true;
    return false;
  };

  /** Sends the frames as RTP to an ffmpeg reading our SDP, and returns the seconds of audio it decoded. */
  async function decodedSeconds(name: string, codecArgs: string[], maxPacketBytes?: number): Promise<number> {
    const units = new FlvAudioReader().push(interviewAudioFlv(codecArgs));
    const free = await bindRtpUdpPorts('127.0.0.1');
    const [port] = free.ports;
    await free.close();
    // Our SDP's audio section, on the port ffmpeg listens to (the video section left out: nothing would come).
    const sdp = sessionSdp({ address: '127.0.0.1', audio: units[0].format, sessionId: '1' });
    const [session, , audio] = sdp.split(/(?=m=)/);
    const file = path.join(tmp.dir, `${name}.sdp`);
    writeFileSync(file, session.replace('c=IN IP4 0.0.0.0', 'c=IN IP4 127.0.0.1') + audio.replace('m=audio 0', `m=audio ${port}`));
    const out = path.join(tmp.dir, `${name}.wav`);
    const ffmpeg = spawn('ffmpeg', ['-hide_banner', '-v', 'error', '-nostdin', '-protocol_whitelist', 'file,udp,rtp', '-listen_timeout', '2', '-i', file, '-f', 'wav', '-y', out], { stdio: 'ignore' });
    const exited = new Promise((resolve) => ffmpeg.once('exit', resolve));
    try {
      expect(await untilBound(port)).toBe(true);
      const socket = dgram.createSocket('udp4');
      let sequence = 1000, timestamp = 0;
      for (const unit of units) {
        const packets = packetizeAudio({ ...unit, pts90k: 0 }, { payloadType: audioPayloadType(unit.format), ssrc: 7, sequence, timestamp, ...(maxPacketBytes ? { maxPacketBytes } : {}) });
        sequence += packets.length;
        timestamp += unit.samples;
        for (const p of packets) await new Promise((resolve) => socket.send(p, port, '127.0.0.1', resolve));
        await sleep(2); // paced: a burst overflows the receiver's socket buffer
      }
      socket.close();
      await exited; // 2 s without packets: the input ends, the WAV is finished
    } finally {
      ffmpeg.kill();
    }
    return Number(execFileSync('ffprobe', ['-v', 'error', '-show_entries', 'format=duration', '-of', 'csv=p=0', out]).toString());
  }

  it.each([
    ['aac', ['-c:a', 'copy'], undefined],
    ['aac-fragmented', ['-c:a', 'copy'], 100],
    ['pcma', ['-c:a', 'pcm_alaw', '-ar', '8000', '-ac', '1'], undefined],
  ])('%s', async (name, codecArgs, maxPacketBytes) => {
    expect(await decodedSeconds(name, codecArgs, maxPacketBytes)).toBeCloseTo(8, 1);
  });
});
