/**
 * Sample-exact audio timestamps on the 90 kHz timeline. FLV stamps audio frames in whole ms, so 1024-sample
 * AAC frames at 48 kHz (21.33 ms) arrive 21 or 22 ms apart, while an RTP receiver expects the timestamp to
 * advance by exactly the samples sent. A frame within a few ms of where the previous one ended continues
 * it; a later one (lost frames, an outage) starts a new run at its own time; an earlier one overlaps audio
 * already sent (a camera clock that stepped back) and is dropped, so the track never goes back and stays
 * in sync with the video. Pure.
 */

/** ms rounding gives ±0.5 ms; a step this size or more is a real gap or overlap. */
const TOLERANCE_90K = 3 * 90;

export class AudioTimeline {
  /** Where the previous frame ended, 1/90000 s. */
  private next: number | null = null;

  /**
   * @param pts90k the frame's time as stamped
   * @returns its exact time, or null to drop it (it overlaps audio already placed)
   */
  place(pts90k: number, samples: number, sampleRate: number): number | null {
    const next = this.next;
    if (next !== null && pts90k <= next - TOLERANCE_90K) return null;
    const placed = next !== null && pts90k < next + TOLERANCE_90K ? next : pts90k;
    this.next = placed + (samples * 90_000) / sampleRate;
    return placed;
  }
}
