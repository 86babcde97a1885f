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
});
