/**
 * The decoder argv for live sources, as data: a camera URL (rtsp, rtmp, srt, http/hls) or a webcam
 * (/dev/videoN) in, raw yuv420p frames out, read as they come (never paused: a blocked pipe would back up
 * into the camera's socket). Tests pin the arrays exactly.
 */
import { COMMON_ARGS, networkInputArgs } from './ffmpeg-args.js';
import { webcamInputArgs, type WebcamMode } from './webcam-mode.js';

/** How RTSP media packets travel: interleaved in the RTSP TCP connection, or as separate UDP datagrams. */
export type LiveTransport = 'tcp' | 'udp';
export const LIVE_TRANSPORTS: readonly LiveTransport[] = ['tcp', 'udp'];

/**
 * How much of a live stream ffmpeg reads before it starts decoding. quick: a few bytes, enough when the
 * stream's parameters come with its first keyframe or in the SDP (measured: RTSP, RTMP, SRT, HTTP and UDP
 * MPEG-TS, HLS). ffmpeg's default probe instead buffers frames (about a second for RTSP, five for MPEG-TS
 * and FLV) and then delivers them in one burst, stale, so a live proxy must drop them. full: the default
 * probe, for streams whose parameters the quick probe does not find.
 */
export type LiveProbe = 'quick' | 'full';

/**
 * What becomes of the camera's first audio stream. copy: as sent (AAC and G.711, what cameras send, go into
 * the FLV pipe as they are); aac: re-encoded, for codecs FLV cannot carry (Opus, G.726, MP3); none: the
 * camera has none, or the user turned it off.
 */
export type LiveAudio = 'copy' | 'aac' | 'none';

/** AAC bit rate for camera audio that has to be re-encoded (mono speech is transparent well below it). */
const LIVE_AUDIO_BITRATE = '128k';

/** ffmpeg's failure when the camera has no audio stream for the audio output. */
export const NO_AUDIO_STREAM = /Output file #1 does not contain any stream/;
/**
 * ffmpeg's failure when the camera's audio cannot be copied: FLV cannot carry the codec, or its parameters
 * were not known when the output started (a quick probe that read no audio frame).
 */
export const AUDIO_NOT_COPYABLE = /not compatible with flv|FLV does not support|codec not currently supported in container|sample rate not set/i;

/**
 * How to start with a source's audio: copied where the stream's first bytes describe it (RTSP's SDP, RTMP's
 * sequence header); elsewhere (MPEG-TS over SRT, UDP, HTTP, HLS) re-encoded, as a copy needs the audio's
 * parameters before the first frame and the quick probe reads too little to see them (measured: "sample
 * rate not set", the connection fails). A webcam (v4l2) has no audio: its microphone is another device.
 */
export function initialLiveAudio(source: string): LiveAudio {
  if (isCaptureDevice(source)) return 'none';
  return /^(rtsps?|rtmps?):\/\//i.test(source) ? 'copy' : 'aac';
}

/** ffmpeg's failure when the quick probe did not find the stream's parameters (its size, its codec). */
export const PROBE_TOO_SHORT = /unspecified size|Could not find codec parameters/;

/** True for video4linux capture devices, which ffmpeg only opens with `-f v4l2`. */
export function isCaptureDevice(source: string): boolean {
  return /^\/dev\/video\d+$/.test(source);
}

/** Input options for one live source (before its `-i`); `webcam` applies to capture devices only. */
export function liveInputArgs(source: string, transport: LiveTransport, probe: LiveProbe, webcam: WebcamMode | null = null): string[] {
  if (isCaptureDevice(source)) return ['-f', 'v4l2', ...webcamInputArgs(webcam)];
  const quick = probe === 'quick' ? ['-probesize', '32'] : [];
  // rtsp has its own socket handling (rw_timeout does not apply); a silent camera is caught by the stall watchdog.
  if (/^rtsps?:\/\//i.test(source)) return ['-rtsp_transport', transport, ...quick];
  return [...networkInputArgs(source), ...(isHls(source) ? ['-re'] : []), ...quick];
}

/**
 * An HLS playlist: ffmpeg fetches each segment whole and decodes it at once, a second or more of frames in
 * one burst that a live proxy would mostly drop. `-re` paces them at the frame rate instead (HLS runs
 * segments behind live anyway).
 */
function isHls(source: string): boolean {
  return /^https?:\/\/[^?#]*\.m3u8(?:[?#]|$)/i.test(source);
}

/**
 * @example
 * liveDecodeArgs('rtsp://cam/1', 'tcp', 'quick', true, 'none')
 * // ['-hide_banner', '-nostdin', '-nostats', '-loglevel', 'level+info', '-flags', 'low_delay',
 * //  '-rtsp_transport', 'tcp', '-probesize', '32', '-i', 'rtsp://cam/1', '-map', '0:v:0', '-vf', 'showinfo=checksum=0',
 * //  '-fps_mode', 'passthrough', '-enc_time_base', '-1', '-pix_fmt', 'yuv420p', '-threads', '1', '-flush_packets', '1',
 * //  '-f', 'rawvideo', 'pipe:1']
 */
export function liveDecodeArgs(source: string, transport: LiveTransport, probe: LiveProbe, hasFpsMode: boolean, audio: LiveAudio, webcam: WebcamMode | null = null): string[] {
  return [
    ...COMMON_ARGS,
    // showinfo (frame timing) and the input dump (frame rate) are info lines; the level tags mark warnings.
    '-loglevel', 'level+info',
    // No decoder frame delay: each frame leaves as soon as it is decoded. (Not `-fflags nobuffer`: it drops
    // the packets read while probing, the first keyframe among them, and the probe backlog is drained in
    // faster than real time anyway.)
    '-flags', 'low_delay',
    ...liveInputArgs(source, transport, probe, webcam),
    '-i', source,
    '-map', '0:v:0',
    '-vf', 'showinfo=checksum=0',
    ...(hasFpsMode ? ['-fps_mode', 'passthrough'] : ['-vsync', 'passthrough']),
    '-enc_time_base', '-1',
    '-pix_fmt', 'yuv420p',
    // The rawvideo encoder is frame-threaded: with threads it hands back the frame before the one just
    // given (one frame of latency), and after a hiccup two, for good (measured: ffmpeg 5.1, 2 cores).
    '-threads', '1',
    // Each frame reaches the pipe whole at once; otherwise its last bytes wait in a 32 KB output buffer
    // for the next frame (one frame of added latency).
    '-flush_packets', '1',
    '-f', 'rawvideo',
    'pipe:1',
    ...liveAudioArgs(audio),
  ];
}

/**
 * Added to the audio output's timestamps (subtract it when reading them): an AAC encoder stamps its first
 * frame (priming samples) before zero, and FLV, which cannot store that, would otherwise shift the whole
 * track late by a frame (21 ms at 48 kHz, measured).
 */
export const AUDIO_TS_OFFSET_MS = 1000;

/**
 * The second output: the camera's first audio stream, FLV on fd 3. FLV stamps every frame (ms, on the
 * same clock as the video's pts) and carries AAC and G.711 as they are. `-vn`: with no audio stream the
 * output must fail (NO_AUDIO_STREAM) rather than fall back to encoding the video into it.
 */
function liveAudioArgs(audio: LiveAudio): string[] {
  if (audio === 'none') return [];
  const codec = audio === 'copy' ? ['-c:a', 'copy'] : ['-c:a', 'aac', '-b:a', LIVE_AUDIO_BITRATE];
  return ['-map', '0:a:0?', '-vn', '-sn', '-dn', ...codec, '-output_ts_offset', String(AUDIO_TS_OFFSET_MS / 1000), '-flush_packets', '1', '-f', 'flv', 'pipe:3'];
}
