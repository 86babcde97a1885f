/**
 * One timeline for a camera across reconnects. Each connection restarts the camera's clock (and may change
 * its time base); output pts are in 1/90000 s (RTP's video clock), follow the camera's own spacing within a
 * connection, jump ahead by the wall-clock length of an outage, and never go back. Within a connection, a
 * camera clock that leaps ahead of the time that passed (a camera clock stepped, a stream restarted or
 * re-seeked at the source, which ffmpeg's RTSP client follows at each stream's next RTCP report) is a discontinuity,
 * not lost time: the timeline goes on one frame later, as for a clock that goes back. Pure: the caller
 * passes the wall clock in.
 */
import type { Rational } from '../frame.js';

export const PTS_TIME_BASE: Rational = Object.freeze({ num: 1, den: 90_000 });

/** How far (1/90000 s) the camera's clock may run ahead of the wall clock between two frames before it counts as a jump: 1 s. */
const LEAP_TICKS = 90_000;

export class PtsContinuity {
  private last: number | null = null;
  /** Wall clock (1/90000 s) at the previous frame. */
  private lastWall = 0;
  private origin: { readonly cameraPts: number; readonly timeBase: Rational; readonly outPts: number } | null = null;

  /** @param frameTicks nominal frame duration in 90 kHz ticks: the step used where the camera's pts stall or go back */
  constructor(private frameTicks = 3600) {}

  /** Starts a new connection; its first frame is anchored to the wall clock. */
  reconnect(): void {
    this.origin = null;
  }

  set nominalFrameTicks(ticks: number) {
    this.frameTicks = Math.max(1, Math.round(ticks));
  }

  /**
   * @param pts the camera's pts in `timeBase`
   * @param nowMs wall-clock ms since the source started (monotonic)
   * @returns output pts in 1/90000, strictly greater than the previous one
   */
  map(pts: number, timeBase: Rational, nowMs: number): number {
    const wall = Math.round(nowMs * 90);
    const elapsed = wall - this.lastWall;
    this.lastWall = wall;
    if (!this.origin) {
      const out = this.last === null ? wall : Math.max(this.last + this.frameTicks, wall);
      this.origin = { cameraPts: pts, timeBase, outPts: out };
      return (this.last = out);
    }
    const out = this.origin.outPts + Math.round(((pts - this.origin.cameraPts) * 90_000 * timeBase.num) / timeBase.den);
    // Frames the camera lost leave a gap as long as the time that passed; a longer leap is its clock's.
    if (out > this.last! && out - this.last! <= elapsed + LEAP_TICKS) return (this.last = out);
    // The camera's clock stalled, went back or leapt: one nominal frame on, and follow its spacing from here.
    this.origin = { cameraPts: pts, timeBase, outPts: this.last! + this.frameTicks };
    return (this.last = this.origin.outPts);
  }

  /** The last output pts (1/90000 s), null before the first frame: where the picture is now. */
  get latest(): number | null {
    return this.last;
  }

  /**
   * Where another stream of the same camera clock (its audio) falls on the output timeline: the video's
   * mapping, unchanged. Moves nothing.
   * @returns output pts in 1/90000 (fractional), or null before the connection's first frame
   */
  follow(pts: number, timeBase: Rational): number | null {
    const o = this.origin;
    if (!o) return null;
    return o.outPts + 90_000 * ((pts * timeBase.num) / timeBase.den - (o.cameraPts * o.timeBase.num) / o.timeBase.den);
  }
}
