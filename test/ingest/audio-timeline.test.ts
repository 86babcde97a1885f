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

  it('moves audio whose clock jumped apart from the picture (over 1 s) to where the picture is, until the stamps agree again', () => {
    const t = new AudioTimeline();
    const frame = 1920; // 1024 samples at 48 kHz
    expect(t.place(90_000, 1024, 48_000, 90_000)).toBe(90_000);
    // The audio's clock leaps 3 s ahead, the picture's has not (yet): spliced on where the picture is.
    expect(t.place(90_000 + frame + 270_000, 1024, 48_000, 90_000 + 3600)).toBe(93_600);
    expect(t.place(90_000 + 2 * frame + 270_000, 1024, 48_000, 90_000 + 3600)).toBe(93_600 + frame);
    // The picture's timeline took the same leap in its stride (PtsContinuity re-anchored, and the audio's
    // stamps, mapped through it, are back beside the picture): unshifted again.
    expect(t.place(93_600 + 2 * frame, 1024, 48_000, 90_000 + 7200)).toBe(93_600 + 2 * frame);
    expect(t.place(93_600 + 3 * frame, 1024, 48_000, 90_000 + 7200)).toBe(93_600 + 3 * frame);
    // A real gap (the camera sent no audio for 2 s, the picture went on) is kept.
    expect(t.place(300_000, 1024, 48_000, 300_000)).toBe(300_000);
  });

  it('keeps the stamps of audio that goes on while the picture stalls', () => {
    const t = new AudioTimeline();
    const frame = 1920;
    const placed = Array.from({ length: 150 }, (_, i) => t.place(90_000 + i * frame, 1024, 48_000, 90_000)); // 3.2 s, the picture frozen
    expect(placed).toEqual(placed.map((_, i) => 90_000 + i * frame));
  });
});
