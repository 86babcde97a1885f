/**
 * The session description a DESCRIBE returns or an ANNOUNCE sends: one H.264 video track (RFC 4566,
 * RFC 6184 §8.2), and the camera's audio when it has some (AAC: RFC 3640 §4.1; G.711: RFC 3551).
 */
import { audioPayloadType } from './audio-packetizer.js';
import type { AudioFormat } from '../ingest/audio-unit.js';

export const H264_PAYLOAD_TYPE = 96;
/** The track's control URL, relative to the session's (Content-Base). */
export const TRACK_CONTROL = 'trackID=0';
/** The audio track's, when there is one. */
export const AUDIO_TRACK_CONTROL = 'trackID=1';

export interface SessionSdpOptions {
  /** Address for the o= line (the server's or the publisher's). */
  readonly address: string;
  /** Last SPS and PPS seen: they give profile-level-id and sprop-parameter-sets. */
  readonly sps?: Buffer;
  readonly pps?: Buffer;
  readonly sessionId?: string;
  /** The audio track's format: adds a second media section. */
  readonly audio?: AudioFormat;
}

/**
 * @example
 * sessionSdp({ address: '127.0.0.1', sps, pps })
 * // v=0 … m=video 0 RTP/AVP 96 … a=fmtp:96 packetization-mode=1;profile-level-id=64001e;sprop-parameter-sets=Z2QAHq…,aOvjyyLA
 */
export function sessionSdp(o: SessionSdpOptions): string {
  const fmtp = ['packetization-mode=1'];
  // profile_idc, constraint flags and level_idc are the three bytes after the SPS's NAL header.
  if (o.sps && o.sps.length >= 4) fmtp.push(`profile-level-id=${o.sps.subarray(1, 4).toString('hex')}`);
  if (o.sps && o.pps) fmtp.push(`sprop-parameter-sets=${o.sps.toString('base64')},${o.pps.toString('base64')}`);
  const ip = o.address.includes(':') ? 'IP6' : 'IP4';
  return [
    'v=0',
    `o=- ${o.sessionId ?? Date.now()} 1 IN ${ip} ${o.address}`,
    's=nullcam',
    `c=IN ${ip} ${ip === 'IP6' ? '::' : '0.0.0.0'}`,
    't=0 0',
    'a=tool:nullcam',
    'a=control:*',
    'a=range:npt=now-',
    `m=video 0 RTP/AVP ${H264_PAYLOAD_TYPE}`,
    `a=rtpmap:${H264_PAYLOAD_TYPE} H264/90000`,
    `a=fmtp:${H264_PAYLOAD_TYPE} ${fmtp.join(';')}`,
    `a=control:${TRACK_CONTROL}`,
    ...(o.audio ? audioMedia(o.audio) : []),
    '',
  ].join('\r\n');
}

/**
 * The audio media section. AAC: mode AAC-hbr as `audio-packetizer.ts` sends it, with the
 * AudioSpecificConfig in hex; profile-level-id 1 is what ffmpeg writes too (receivers go by the config).
 * @example
 * audioMedia({ codec: 'aac', sampleRate: 48000, channels: 1, config: Buffer.from('1188', 'hex') })
 * // m=audio 0 RTP/AVP 97, a=rtpmap:97 MPEG4-GENERIC/48000/1, a=fmtp:97 streamtype=5;…;config=1188, a=control:trackID=1
 */
function audioMedia(format: AudioFormat): string[] {
  const pt = audioPayloadType(format);
  const media = [`m=audio 0 RTP/AVP ${pt}`];
  if (format.codec === 'aac') {
    media.push(
      `a=rtpmap:${pt} MPEG4-GENERIC/${format.sampleRate}/${format.channels}`,
      `a=fmtp:${pt} streamtype=5;profile-level-id=1;mode=AAC-hbr;sizelength=13;indexlength=3;indexdeltalength=3;config=${format.config?.toString('hex').toUpperCase() ?? ''}`,
    );
  } else {
    // The channel count is left out for one channel (RFC 4566 §6: "may be omitted" then).
    media.push(`a=rtpmap:${pt} ${format.codec.toUpperCase()}/${format.sampleRate}${format.channels > 1 ? `/${format.channels}` : ''}`);
  }
  media.push(`a=control:${AUDIO_TRACK_CONTROL}`);
  return media;
}

export interface AnnouncedH264 {
  readonly payloadType: number;
  /** The track's a=control (relative or absolute), if given. */
  readonly control?: string;
  readonly sps?: Buffer;
  readonly pps?: Buffer;
}

/**
 * The first H.264 video track of a session description (what a publisher ANNOUNCEs).
 * @returns undefined when there is none
 */
export function parseH264Sdp(sdp: string): AnnouncedH264 | undefined {
  const lines = sdp.split(/\r?\n/);
  const start = lines.findIndex((l) => l.startsWith('m=video '));
  if (start < 0) return undefined;
  const end = lines.findIndex((l, i) => i > start && l.startsWith('m='));
  const media = lines.slice(start, end < 0 ? undefined : end);
  const rtpmap = media.map((l) => /^a=rtpmap:(\d+) H264\/90000/i.exec(l)).find(Boolean);
  if (!rtpmap) return undefined;
  const payloadType = Number(rtpmap[1]);
  const control = media.find((l) => l.startsWith('a=control:'))?.slice('a=control:'.length).trim();
  const fmtp = media.find((l) => l.startsWith(`a=fmtp:${payloadType} `));
  const sprop = fmtp ? /sprop-parameter-sets=([^;\s]+)/.exec(fmtp)?.[1].split(',').map((b) => Buffer.from(b, 'base64')) : undefined;
  return { payloadType, ...(control ? { control } : {}), ...(sprop?.[0]?.length ? { sps: sprop[0] } : {}), ...(sprop?.[1]?.length ? { pps: sprop[1] } : {}) };
}
