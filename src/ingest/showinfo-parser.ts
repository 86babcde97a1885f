/**
 * Reads frame timing out of ffmpeg's `showinfo` filter log. Raw video on stdout carries no timestamps, so
 * the decoder prints one showinfo line per frame on stderr and the reader pairs line n with stdout frame n.
 * Both ffmpeg 5.1 and the 2018 npm build print the same fields.
 */
import type { Rational } from '../frame.js';

/** One frame as showinfo saw it. */
export interface ShowinfoFrame {
  /** showinfo's frame counter, 0-based. */
  readonly n: number;
  /** pts in the filter's input time base; null when the frame had none ("NOPTS"). */
  readonly pts: number | null;
  readonly width: number;
  readonly height: number;
}

export type ShowinfoLine =
  | { readonly kind: 'timeBase'; readonly timeBase: Rational }
  | ({ readonly kind: 'frame' } & ShowinfoFrame);

// e.g. "[Parsed_showinfo_0 @ 0x5615b7694d40] [info] config in time_base: 1/12800, frame_rate: 25/1"
const CONFIG_IN = /\bParsed_showinfo_\d+ @ [^\]]*\].*\bconfig in time_base: (\d+)\/(\d+)/;
// e.g. "[Parsed_showinfo_0 @ 0x…] [info] n:   0 pts:      0 pts_time:0       pos: 48 fmt:yuv420p sar:1/1 s:640x480 i:P …"
const FRAME = /\bParsed_showinfo_\d+ @ [^\]]*\].*\bn:\s*(\d+) pts:\s*(-?\d+|NOPTS) pts_time:\S+.*? s:(\d+)x(\d+) /;

/**
 * Parses one stderr line; null for every line that is not showinfo's time base or frame line.
 * @example
 * parseShowinfoLine('[Parsed_showinfo_0 @ 0x1] [info] n:   3 pts:   1536 pts_time:0.12 pos: 9 fmt:yuv420p sar:1/1 s:640x480 i:P iskey:0 type:B')
 * // { kind: 'frame', n: 3, pts: 1536, width: 640, height: 480 }
 */
export function parseShowinfoLine(line: string): ShowinfoLine | null {
  const frame = FRAME.exec(line);
  if (frame) {
    return {
      kind: 'frame',
      n: Number(frame[1]),
      pts: frame[2] === 'NOPTS' ? null : Number(frame[2]),
      width: Number(frame[3]),
      height: Number(frame[4]),
    };
  }
  const config = CONFIG_IN.exec(line);
  if (config) return { kind: 'timeBase', timeBase: { num: Number(config[1]), den: Number(config[2]) } };
  return null;
}
