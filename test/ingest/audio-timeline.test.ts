import { describe, expect, it } from 'vitest';
import { AudioTimeline } from '../../src/ingest/audio-timeline.js';

describe('AudioTimeline', () => {
  it('turns ms-rounded AAC stamps (21, 22 ms apart) into exact 1024-sample steps', () => {
    const t = new AudioTimeline();
    const stamped = [0, 21, 43, 64, 85, 107].map((ms) => ms * 90);
    expect(stamped.map((p) => t.place(p, 1024, 48_000))).toEqual([0, 1920, 3840, 5760, 7680, 9600]);
  });

  it('starts a new run after a gap (lost frames, an outage)', () => {
    const t = new AudioTimeline();
    t.place(0, 160, 8000); // 20 ms of G.711
    expect(t.place(1800, 160, 8000)).toBe(1800);
    expect(t.place(100_000, 160, 8000)).toBe(100_000);
    expect(t.place(101_801, 160, 8000)).toBe(101_800);
  });

  it('drops frames that overlap audio already placed, and never goes back', () => {
    const t = new AudioTimeline();
    t.place(90_000, 1024, 48_000);
    t.place(91_920, 1024, 48_000);
    expect(t.place(50_000, 1024, 48_000)).toBeNull();
    expect(t.place(93_700, 1024, 48_000)).toBe(93_840); // within tolerance: continues
  });
});
