/**
 * Which kinds of live camera an ffmpeg build can read, from its `-protocols` and `-demuxers` listings.
 * Builds differ: the npm fallback binary has no SRT, for one, and a camera URL it cannot read fails only
 * when the proxy starts. `nullcam doctor` says so up front.
 */

/** Each live input and what ffmpeg needs for it: an input protocol or a demuxer (input format). */
const LIVE_INPUTS: ReadonlyArray<{ readonly input: string; readonly protocol?: string; readonly demuxer?: string }> = [
  { input: 'rtsp', demuxer: 'rtsp' },
  { input: 'rtmp', protocol: 'rtmp' },
  { input: 'srt', protocol: 'srt' },
  { input: 'http', protocol: 'http' },
  { input: 'https', protocol: 'https' },
  { input: 'hls', demuxer: 'hls' },
  { input: 'udp', protocol: 'udp' },
  { input: 'v4l2', demuxer: 'v4l2' },
];

export interface LiveInputSupport {
  readonly supported: readonly string[];
  readonly missing: readonly string[];
}

/**
 * @param protocols `ffmpeg -hide_banner -protocols` output
 * @param demuxers `ffmpeg -hide_banner -demuxers` output
 * @example liveInputSupport('Input:\n  srt\nOutput:\n  srt\n', ' D  rtsp  RTSP input\n').supported // ['rtsp', 'srt']
 */
export function liveInputSupport(protocols: string, demuxers: string): LiveInputSupport {
  const inputSection = /Input:([\s\S]*?)(?:Output:|$)/.exec(protocols)?.[1] ?? '';
  const inputProtocols = new Set(inputSection.split(/\s+/).filter(Boolean));
  // " D  video4linux2,v4l2 Video4Linux2 device grab": one line per format, aliases joined by commas.
  const inputFormats = new Set([...demuxers.matchAll(/^ D[ .]?\s+(\S+)/gm)].flatMap((m) => m[1].split(',')));
  const supported: string[] = [];
  const missing: string[] = [];
  for (const { input, protocol, demuxer } of LIVE_INPUTS) {
    const ok = protocol ? inputProtocols.has(protocol) : inputFormats.has(demuxer!);
    (ok ? supported : missing).push(input);
  }
  return { supported, missing };
}
