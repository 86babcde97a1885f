/**
 * The frame rate of a stream that does not declare one, from its first frames' timestamps. Many RTSP
 * cameras send H.264 without timing in the SPS; ffmpeg then prints its 90 kHz time base as the rate, and
 * a guess of 25 fps would make a 5 fps CCTV camera's keyframes 10 s apart. The median interval ignores
 * a dropped frame or a late one; a rate within 2 % of a common one is taken as that one (cameras'
 * clocks drift, and 29.97 is 30000/1001, not 2997/100).
 */
import type { Rational } from '../frame.js';

/** Intervals measured before the estimate: 2.4 s at 5 fps, under half a second at 30. */
const INTERVALS = 12;
/** How far a measured rate may be from a common one and still be taken as it. */
const SNAP = 0.02;
/** Frame rates cameras and encoders use. */
const COMMON: readonly Rational[] = [
  [1, 1], [2, 1], [5, 1], [6, 1], [15, 2], [10, 1], [12, 1], [25, 2], [15, 1], [20, 1], [24000, 1001], [24, 1],
  [25, 1], [30000, 1001], [30, 1], [48, 1], [50, 1], [60000, 1001], [60, 1],
].map(([num, den]) => ({ num, den }));

export class FrameRateEstimate {
  private last: number | null = null;
  private readonly intervals: number[] = [];
  private rate: Rational | null = null;

  /**
   * @param seconds a frame's presentation time
   * @returns the rate once enough frames were seen (the same one from then on), else null
   */
  add(seconds: number): Rational | null {
    if (this.rate) return this.rate;
    // Only forward steps count: a timestamp that repeats or goes back is no interval.
    if (this.last !== null && seconds > this.last) this.intervals.push(seconds - this.last);
    this.last = seconds;
    if (this.intervals.length === INTERVALS) this.rate = rateOf(this.intervals);
    return this.rate;
  }
}

function rateOf(intervals: readonly number[]): Rational {
  const sorted = [...intervals].sort((a, b) => a - b);
  const rate = 1 / sorted[sorted.length >> 1];
  const gap = (r: Rational) => Math.abs(r.num / r.den - rate);
  // The closest: 24 and 24000/1001 are both within the margin of either.
  const common = COMMON.reduce((best, r) => (gap(r) < gap(best) ? r : best));
  return gap(common) <= SNAP * rate ? common : { num: Math.round(rate * 1000), den: 1000 };
}
