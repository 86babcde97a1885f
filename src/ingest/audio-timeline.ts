/**
 * Sample-exact audio timestamps on the 90 kHz timeline. FLV stamps audio frames in whole ms, so 1024-sample
 * AAC frames at 48 kHz (21.33 ms) arrive 21 or 22 ms apart, while an RTP receiver expects the timestamp to
 * advance by exactly the samples sent. A frame within a few ms of where the previous one ended continues
 * it; a later one (lost frames, an outage) starts a new run at its own time; an earlier one overlaps audio
 * already sent (a camera clock that stepped back) and is dropped, so the track never goes back and stays
 * in sync with the video. Audio whose stamps jump by more than a second and land more than a second away
 * from where the picture is has a clock that jumped apart from the picture's (after a jump at the source,
 * ffmpeg's RTSP client moves each stream onto the new clock at that stream's next RTCP report, audio and
 * video at different moments): it is moved onto the picture's position until its stamps jump back beside
 * the picture. Audio that goes on while the picture stalls, or comes back after a pause with the picture,
 * keeps its stamps. Pure.
 */

/** ms rounding gives ±0.5 ms; a step this size or more is a real gap or overlap. */
const TOLERANCE_90K = 3 * 90;
/** A jump of the audio's stamps, and a distance from the picture's position, this large (1 s) is a clock's. */
const APART_90K = 90_000;

export class AudioTimeline {
  /** Where the previous frame ended, 1/90000 s. */
  private next: number | null = null;
  /** Added to the stamps while the audio's clock is apart from the picture's. */
  private shift = 0;

  /**
   * @param pts90k the frame's time as stamped
   * @param picture90k where the picture is now (its latest pts), null: no picture yet
   * @returns its exact time, or null to drop it (it overlaps audio already placed)
   */
  place(pts90k: number, samples: number, sampleRate: number, picture90k: number | null = null): number | null {
    const next = this.next;
    if (picture90k !== null && next !== null && Math.abs(pts90k + this.shift - next) > APART_90K) {
      // The stamps jumped: kept where they agree with the picture, else moved to where the picture is.
      this.shift = Math.abs(pts90k - picture90k) > APART_90K ? picture90k - pts90k : 0;
    }
    const at = pts90k + this.shift;
    if (next !== null && at <= next - TOLERANCE_90K) return null;
    const placed = next !== null && at < next + TOLERANCE_90K ? next : at;
    this.next = placed + (samples * 90_000) / sampleRate;
    return placed;
  }
}
