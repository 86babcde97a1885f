/** The frame rate of a stream that does not declare one, from its timestamps (90 kHz, as RTSP cameras stamp). */
import { describe, expect, it } from 'vitest';
import { FrameRateEstimate } from '../../src/live/frame-rate-estimate.js';

/** Feeds pts90k values; @returns what the estimate said after each. */
const feed = (pts90k: readonly number[]) => {
  const estimate = new FrameRateEstimate();
  return pts90k.map((t) => estimate.add(t / 90_000));
};
const steady = (frames: number, ticks: number, start = 123_456) => Array.from({ length: frames }, (_, i) => start + Math.round(i * ticks));

describe('FrameRateEstimate', () => {
  it('says nothing until it has seen 12 intervals, then the rate, and keeps it', () => {
    const said = feed(steady(20, 3600));
    expect(said.slice(0, 12).every((r) => r === null)).toBe(true);
    expect(said[12]).toEqual({ num: 25, den: 1 });
    expect(said[19]).toEqual({ num: 25, den: 1 });
  });

  it('tells 30000/1001 from 30, and 24000/1001 from 24, by the closest common rate', () => {
    expect(feed(steady(13, 3003)).at(-1)).toEqual({ num: 30000, den: 1001 });
    expect(feed(steady(13, 3000)).at(-1)).toEqual({ num: 30, den: 1 });
    expect(feed(steady(13, 3753.75)).at(-1)).toEqual({ num: 24000, den: 1001 });
    expect(feed(steady(13, 3750)).at(-1)).toEqual({ num: 24, den: 1 });
    expect(feed(steady(13, 12_000)).at(-1)).toEqual({ num: 15, den: 2 });
  });

  it("takes a CCTV camera's 5 fps through a dropped frame, jitter and a repeated timestamp", () => {
    const pts = steady(16, 18_000).filter((_, i) => i !== 5); // frame 5 lost: one interval of 0.4 s
    pts[8] += 900; // 10 ms late
    pts.splice(10, 0, pts[10]); // a timestamp twice
    expect(feed(pts).at(-1)).toEqual({ num: 5, den: 1 });
  });

  it('gives an uncommon rate as measured, in thousandths', () => {
    expect(feed(steady(13, 5400)).at(-1)).toEqual({ num: 16_667, den: 1000 });
  });
});
