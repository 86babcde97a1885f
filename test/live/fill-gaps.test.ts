import { TestScheduler } from 'rxjs/testing';
import { describe, expect, it } from 'vitest';
import { fillGaps } from '../../src/live/fill-gaps.js';
import type { FaceFrame } from '../../src/track/face.js';

const f = (pts: number): FaceFrame => ({ source: 'c', index: pts, pts, timeBase: { num: 1, den: 90000 }, width: 2, height: 2, format: 'yuv420p', data: Buffer.alloc(6, 99), faces: [] });

describe('fillGaps (virtual time)', () => {
  it('sends black frames at the frame interval after a gap, with pts by elapsed time, until frames come back', () => {
    const scheduler = new TestScheduler((a, b) => expect(a).toEqual(b));
    scheduler.run(({ cold, expectObservable }) => {
      const src = cold('a 9ms b 99ms c|', { a: f(0), b: f(900), c: f(20_000) });
      let fills = 0;
      const out = src.pipe(fillGaps({ gapMs: 50, frameIntervalMs: () => 20, scheduler, onFill: () => fills++ }));
      expectObservable(out, '^ 149ms !').toBe('a 9ms b 49ms x 19ms y 19ms z 9ms c', {
        a: f(0),
        b: f(900),
        x: { ...f(900), pts: 900 + 50 * 90, data: Buffer.from([16, 16, 16, 16, 128, 128]) },
        y: { ...f(900), pts: 900 + 70 * 90, data: Buffer.from([16, 16, 16, 16, 128, 128]) },
        z: { ...f(900), pts: 900 + 90 * 90, data: Buffer.from([16, 16, 16, 16, 128, 128]) },
        c: f(20_000),
      });
      scheduler.flush();
      expect(fills).toBe(3);
    });
  });

  it('shifts real frames that come back stamped before the last filler, so pts never go back', () => {
    const scheduler = new TestScheduler((a, b) => expect(a).toEqual(b));
    scheduler.run(({ cold, expectObservable }) => {
      // After the gap the camera's timeline restarts behind the fillers (pts 1000 < filler 9000 + ...).
      const src = cold('a 79ms b c', { a: f(0), b: f(1000), c: f(4600) });
      const out = src.pipe(fillGaps({ gapMs: 50, frameIntervalMs: () => 40, scheduler }));
      const black = Buffer.from([16, 16, 16, 16, 128, 128]);
      expectObservable(out, '^ 99ms !').toBe('a 49ms x 29ms b c', {
        a: f(0),
        x: { ...f(0), pts: 4500, data: black },
        b: { ...f(1000), pts: 4500 + 3600 },
        c: { ...f(4600), pts: 4500 + 3600 + 3600 },
      });
    });
  });
});
