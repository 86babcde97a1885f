/**
 * Probing without ffprobe: the npm ffmpeg ships none, but `ffmpeg -i <input>` prints the same facts in
 * its input dump. The dump rounds rates ("23.98 tbn"), so the time base is only kept when it reads as an
 * exact integer; the decoder learns the exact one from showinfo anyway.
 */
import type { Rational } from '../frame.js';
import { firstVideo, normalizeRotation, plausibleFrameRate, streamKind, type ColorTags, type MediaInfo, type StreamInfo, type VideoStreamInfo } from './media-info.js';

// "    Stream #0:0[0x1](und): Video: h264 (High) (avc1 / 0x31637661), yuv420p(progressive), 640x480 [SAR 1:1 DAR 4:3], …"
const STREAM = /^\s*Stream #0:(\d+)(?:\[0x[0-9a-f]+\])?(?:\([^)]*\))?: (Video|Audio|Subtitle|Data|Attachment): (\S+)(.*)$/;
const DURATION = /^\s*Duration: (?:(\d+):(\d+):(\d+(?:\.\d+)?)|N\/A)/;
const INPUT = /^Input #0, ([^ ]+), from /;
const ROTATION = /displaymatrix: rotation of (-?[\d.]+) degrees|^\s*rotate\s*: (-?\d+)/;

/**
 * Parses `ffmpeg -hide_banner -i <input>` stderr (ffmpeg 4.x and 5.x layouts).
 * @returns null when the dump has no "Input #0" section (ffmpeg could not open the input).
 */
export function mediaInfoFromFfmpegStderr(stderr: string): MediaInfo | null {
  const lines = stderr.split(/\r?\n/);
  let format: string | null = null;
  let durationSeconds: number | null = null;
  const streams: Array<StreamInfo | VideoStreamInfo> = [];
  for (const line of lines) {
    const input = INPUT.exec(line);
    if (input) {
      format = input[1].replace(/,$/, '');
      continue;
    }
    const duration = DURATION.exec(line);
    if (duration && format !== null) {
      durationSeconds = duration[1] === undefined ? null : Number(duration[1]) * 3600 + Number(duration[2]) * 60 + Number(duration[3]);
      continue;
    }
    const stream = STREAM.exec(line);
    if (stream) {
      streams.push(parseStream(Number(stream[1]), stream[2].toLowerCase(), stream[3].replace(/,$/, ''), stream[4]));
      continue;
    }
    const rotation = ROTATION.exec(line);
    const last = streams.at(-1);
    if (rotation && last?.kind === 'video') {
      // Rotation lines follow the stream line they belong to (side data or metadata block).
      const video = last as VideoStreamInfo;
      const degrees = normalizeRotation(Number(rotation[1] ?? rotation[2]));
      const turned = Math.abs(degrees) % 180 === 90 && video.rotation === 0;
      streams[streams.length - 1] = { ...video, rotation: degrees, width: turned ? video.height : video.width, height: turned ? video.width : video.height };
    }
  }
  if (format === null) return null;
  return { format, durationSeconds, streams, video: firstVideo(streams) };
}

function parseStream(index: number, kindText: string, codec: string, rest: string): StreamInfo | VideoStreamInfo {
  const kind = streamKind(kindText);
  const base = { index, kind, codec, attachedPicture: /\(attached pic\)/.test(rest) };
  if (kind !== 'video') return base;
  const size = /, (\d+)x(\d+)[ ,]/.exec(`${rest} `);
  const tbr = /, ([\d.]+k?) tbr/.exec(rest)?.[1];
  const tbn = /, ([\d.]+k?) tbn/.exec(rest)?.[1];
  const color: ColorTags = {};
  return {
    ...base,
    kind,
    width: size ? Number(size[1]) : 0,
    height: size ? Number(size[2]) : 0,
    rotation: 0,
    timeBase: integerRate(tbn) ? { num: 1, den: integerRate(tbn)! } : null,
    frameRate: plausibleFrameRate(printedRate(tbr)),
    frameCount: null,
    color,
  };
}

/** ffmpeg prints rates as "25", "12800", "90k" or "23.98"; only the first three are exact integers. */
function integerRate(text: string | undefined): number | null {
  if (!text) return null;
  if (/^\d+k$/.test(text)) return Number(text.slice(0, -1)) * 1000;
  if (/^\d+$/.test(text)) return Number(text);
  return null;
}

/** Printed rate → fraction, mapping ffmpeg's two-decimal NTSC rates back to x/1001. */
function printedRate(text: string | undefined): Rational | null {
  const whole = integerRate(text);
  if (whole) return { num: whole, den: 1 };
  const value = Number(text);
  if (!text || !Number.isFinite(value) || value <= 0) return null;
  const ntsc = Math.round(value * 1.001);
  if (Math.abs((ntsc * 1000) / 1001 - value) < 0.006) return { num: ntsc * 1000, den: 1001 };
  return { num: Math.round(value * 100), den: 100 };
}
