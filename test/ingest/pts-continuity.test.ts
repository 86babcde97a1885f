import { describe, expect, it } from 'vitest';
import { PtsContinuity } from '../../src/ingest/pts-continuity.js';

const tb = { num: 1, den: 12800 };

describe('PtsContinuity', () => {
  it('anchors the first frame to the wall clock and follows the camera spacing after it', () => {
    const c = new PtsContinuity();
    expect(c.map(1000, tb, 2000)).toBe(180_000);
    expect(c.map(1512, tb, 2000)).toBe(183_600); // 512/12800 s = 40 ms
    expect(c.map(2024, tb, 9999)).toBe(187_200); // wall clock ignored within a connection
  });

  it('jumps ahead by the outage after a reconnect, whatever the new camera clock and time base', () => {
    const c = new PtsContinuity();
    c.map(0, tb, 0);
    c.map(512, tb, 40);
    c.reconnect();
    expect(c.map(5_000_000, { num: 1, den: 90_000 }, 5000)).toBe(450_000);
    expect(c.map(5_003_600, { num: 1, den: 90_000 }, 5040)).toBe(453_600);
  });

  it('never goes back: a reconnect within a frame of the last pts, a stalled or rewinding camera clock', () => {
    const c = new PtsContinuity(3600);
    expect(c.map(0, tb, 1000)).toBe(90_000);
    c.reconnect();
    expect(c.map(0, tb, 1000)).toBe(93_600);
    expect(c.map(0, tb, 1000)).toBe(97_200); // stalled
    expect(c.map(-5000, tb, 1000)).toBe(100_800); // rewound
    expect(c.map(-4488, tb, 1000)).toBe(104_400); // and its spacing followed from there
  });

  it('follows frames the camera lost (its clock ahead by the time that passed), but not a leap of its clock ahead of that', () => {
    const c = new PtsContinuity(3600);
    expect(c.map(0, tb, 0)).toBe(0);
    expect(c.map(38_400, tb, 3000)).toBe(270_000); // 3 s lost in 3 s: a gap in the output too
    // 5 s ahead within 40 ms (a source re-seeked, or RTSP's switch to the sender's clock): one frame on.
    expect(c.map(38_400 + 64_000, tb, 3040)).toBe(273_600);
    expect(c.map(38_400 + 64_512, tb, 3080)).toBe(277_200); // and its spacing from there
    expect(c.latest).toBe(277_200);
  });
});

describe('PtsContinuity.follow (the camera audio on the video timeline)', () => {
  it('maps another stream of the same camera clock through the video mapping, in any time base', () => {
    const c = new PtsContinuity();
    expect(c.follow(0, { num: 1, den: 1000 })).toBeNull(); // before the first frame: no mapping yet
    c.map(1280, tb, 2000); // 100 ms on the camera clock → 180 000
    expect(c.follow(121, { num: 1, den: 1000 })).toBeCloseTo(180_000 + 21 * 90, 6);
    expect(c.follow(79, { num: 1, den: 1000 })).toBeCloseTo(180_000 - 21 * 90, 6); // audio ahead of the first frame
  });

  it('follows the re-anchored mapping after a reconnect, and is cleared by it until the next frame', () => {
    const c = new PtsContinuity();
    c.map(0, tb, 0);
    c.reconnect();
    expect(c.follow(0, tb)).toBeNull();
    c.map(90_000, { num: 1, den: 90_000 }, 5000); // camera clock restarted at 1 s; output at 450 000
    expect(c.follow(2000, { num: 1, den: 1000 })).toBe(540_000);
  });
});
