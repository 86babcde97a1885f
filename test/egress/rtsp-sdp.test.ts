/** The SDP of DESCRIBE/ANNOUNCE and the Transport header of SETUP. */
import { describe, expect, it } from 'vitest';
import { formatTransport, parseTransport } from '../../src/egress/rtsp-transport.js';
import { sessionSdp, parseH264Sdp } from '../../src/egress/sdp.js';

describe('sessionSdp', () => {
  it('gives profile-level-id and sprop-parameter-sets from the SPS and PPS', () => {
    const sps = Buffer.from('6764001eacd940a03db01100000303000100000303320f162d96', 'hex');
    const pps = Buffer.from('68ebe3cb22c0', 'hex');
    const sdp = sessionSdp({ address: '127.0.0.1', sps, pps, sessionId: '1' });
    expect(sdp.split('\r\n')).toEqual([
      'v=0',
      'o=- 1 1 IN IP4 127.0.0.1',
      's=nullcam',
      'c=IN IP4 0.0.0.0',
      't=0 0',
      'a=tool:nullcam',
      'a=control:*',
      'a=range:npt=now-',
      'm=video 0 RTP/AVP 96',
      'a=rtpmap:96 H264/90000',
      `a=fmtp:96 packetization-mode=1;profile-level-id=64001e;sprop-parameter-sets=${sps.toString('base64')},aOvjyyLA`,
      'a=control:trackID=0',
      '',
    ]);
  });

  it('leaves the parameter sets out until they are known', () => {
    expect(sessionSdp({ address: '::1' })).toMatch(/o=- \d+ 1 IN IP6 ::1\r\n[^]*a=fmtp:96 packetization-mode=1\r\n/);
  });

  it('adds an AAC track after the video: mpeg4-generic AAC-hbr with the AudioSpecificConfig', () => {
    const audio = { codec: 'aac' as const, sampleRate: 48000, channels: 1, config: Buffer.from('118856e500', 'hex') };
    expect(sessionSdp({ address: '127.0.0.1', audio }).split('\r\n').slice(-6)).toEqual([
      'a=control:trackID=0',
      'm=audio 0 RTP/AVP 97',
      'a=rtpmap:97 MPEG4-GENERIC/48000/1',
      'a=fmtp:97 streamtype=5;profile-level-id=1;mode=AAC-hbr;sizelength=13;indexlength=3;indexdeltalength=3;config=118856E500',
      'a=control:trackID=1',
      '',
    ]);
  });

  it('adds a G.711 track: static payload type for 8 kHz mono, the channel count only when more than one', () => {
    const tail = (codec: 'pcma' | 'pcmu', channels: number) => sessionSdp({ address: '127.0.0.1', audio: { codec, sampleRate: 8000, channels } }).split('\r\n').slice(-4, -1);
    expect(tail('pcma', 1)).toEqual(['m=audio 0 RTP/AVP 8', 'a=rtpmap:8 PCMA/8000', 'a=control:trackID=1']);
    expect(tail('pcmu', 1)).toEqual(['m=audio 0 RTP/AVP 0', 'a=rtpmap:0 PCMU/8000', 'a=control:trackID=1']);
    expect(tail('pcma', 2)).toEqual(['m=audio 0 RTP/AVP 97', 'a=rtpmap:97 PCMA/8000/2', 'a=control:trackID=1']);
  });
});

describe('parseTransport', () => {
  it.each([
    ['RTP/AVP/TCP;unicast;interleaved=2-3', { kind: 'tcp', channels: [2, 3], record: false }],
    ['RTP/AVP/TCP;unicast', { kind: 'tcp', channels: [4, 5], record: false }],
    ['RTP/AVP;unicast;client_port=5000-5001', { kind: 'udp', clientPorts: [5000, 5001], record: false }],
    ['RTP/AVP/UDP;unicast;client_port=5000;mode="RECORD"', { kind: 'udp', clientPorts: [5000, 5001], record: true }],
    ['RTP/AVP;multicast, RTP/AVP/TCP;interleaved=0-1', { kind: 'tcp', channels: [0, 1], record: false }],
    ['RTP/SAVP;unicast;client_port=5000-5001', undefined],
    ['RTP/AVP;unicast', undefined],
  ])('%s', (header, expected) => {
    expect(parseTransport(header, 4)).toEqual(expected);
  });

  it('answers with the server ports and the SSRC', () => {
    const t = parseTransport('RTP/AVP;unicast;client_port=5000-5001')!;
    expect(formatTransport(t, [40000, 40001], 0xab)).toBe('RTP/AVP;unicast;client_port=5000-5001;server_port=40000-40001;ssrc=000000AB');
  });
});

describe('parseH264Sdp', () => {
  it('reads back what sessionSdp wrote', () => {
    const sps = Buffer.from('6764001eac', 'hex');
    const pps = Buffer.from('68ebe3cb', 'hex');
    expect(parseH264Sdp(sessionSdp({ address: '127.0.0.1', sps, pps }))).toEqual({ payloadType: 96, control: 'trackID=0', sps, pps });
  });

  it('finds the H.264 track among others, and nothing in a stream without one', () => {
    const sdp = 'v=0\r\nm=audio 0 RTP/AVP 97\r\na=rtpmap:97 MPEG4-GENERIC/48000/2\r\na=control:a\r\nm=video 0 RTP/AVP 98\r\na=rtpmap:98 H264/90000\r\na=control:rtsp://h/v\r\n';
    expect(parseH264Sdp(sdp)).toEqual({ payloadType: 98, control: 'rtsp://h/v' });
    expect(parseH264Sdp('v=0\r\nm=video 0 RTP/AVP 96\r\na=rtpmap:96 H265/90000\r\n')).toBeUndefined();
  });
});
