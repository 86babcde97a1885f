/** The session description a DESCRIBE returns or an ANNOUNCE sends: one H.264 video track (RFC 4566, RFC 6184 §8.2). */

export const H264_PAYLOAD_TYPE = 96;
/** The track's control URL, relative to the session's (Content-Base). */
export const TRACK_CONTROL = 'trackID=0';

export interface H264SdpOptions {
  /** Address for the o= line (the server's or the publisher's). */
  readonly address: string;
  /** Last SPS and PPS seen: they give profile-level-id and sprop-parameter-sets. */
  readonly sps?: Buffer;
  readonly pps?: Buffer;
  readonly sessionId?: string;
}

/**
 * @example
 * h264Sdp({ address: '127.0.0.1', sps, pps })
 * // v=0 … m=video 0 RTP/AVP 96 … a=fmtp:96 packetization-mode=1;profile-level-id=64001e;sprop-parameter-sets=Z2QAHq…,aOvjyyLA
 */
export function h264Sdp(o: H264SdpOptions): string {
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
    '',
  ].join('\r\n');
}
