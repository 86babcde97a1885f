import { TestScheduler } from 'rxjs/testing';
import { describe, expect, it } from 'vitest';
import { DroppedFrames, fillGaps, TimelineShift } from '../../src/live/fill-gaps.js';
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

  it('shifts real frames that come back stamped before the last filler, so pts never go back, and says by how much (for the audio)', () => {
    const scheduler = new TestScheduler((a, b) => expect(a).toEqual(b));
    const shift = new TimelineShift();
    shift.ticks = 123; // a previous subscription's: reset
    scheduler.run(({ cold, expectObservable }) => {
      // After the gap the camera's timeline restarts behind the fillers (pts 1000 < filler 9000 + ...).
      const src = cold('a 79ms b c', { a: f(0), b: f(1000), c: f(4600) });
      const out = src.pipe(fillGaps({ gapMs: 50, frameIntervalMs: () => 40, scheduler, shift }));
      const black = Buffer.from([16, 16, 16, 16, 128, 128]);
      expectObservable(out, '^ 99ms !').toBe('a 49ms x 29ms b c', {
        a: f(0),
        x: { ...f(0), pts: 4500, data: black },
        b: { ...f(1000), pts: 4500 + 3600 },
        c: { ...f(4600), pts: 4500 + 3600 + 3600 },
      });
    });
    expect(shift.ticks).toBe(4500 + 3600 - 1000);
  });

  it('repeats the last frame sent at the pts of each frame dropped upstream, so timestamps stay regular', () => {
    const scheduler = new TestScheduler((a, b) => expect(a).toEqual(b));
    scheduler.run(({ cold, expectObservable }) => {
      const dropped = new DroppedFrames();
      // 7200 and 10800 were dropped between b and e; -3600 (before anything was sent) is forgotten.
      for (const pts of [-3600, 7200, 10800]) dropped.add(pts);
      const b = { ...f(3600), data: Buffer.alloc(6, 7) };
      const src = cold('a 39ms b 119ms e', { a: f(0), b, e: f(14400) });
      const repeats: number[] = [];
      const out = src.pipe(fillGaps({ gapMs: 1000, frameIntervalMs: () => 40, scheduler, dropped, onRepeat: (n) => repeats.push(n) }));
      expectObservable(out, '^ 199ms !').toBe('a 39ms b 119ms (xye)', { a: f(0), b, x: { ...b, pts: 7200 }, y: { ...b, pts: 10800 }, e: f(14400) });
      scheduler.flush();
      expect(repeats).toEqual([2]);
      expect(dropped.takeBefore(Infinity)).toEqual([]);
    });
  });

  it('does not repeat over dropped slots that black fillers already covered', () => {
    const scheduler = new TestScheduler((a, b) => expect(a).toEqual(b));
    scheduler.run(({ cold, expectObservable }) => {
      const dropped = new DroppedFrames();
      dropped.add(3600);
      const src = cold('a 79ms c', { a: f(0), c: f(7200) });
      const out = src.pipe(fillGaps({ gapMs: 50, frameIntervalMs: () => 40, scheduler, dropped }));
      const black = Buffer.from([16, 16, 16, 16, 128, 128]);
      // The filler at 4500 (50 ms after a) is later than the dropped slot 3600: no repeat.
      expectObservable(out, '^ 99ms !').toBe('a 49ms x 29ms c', { a: f(0), x: { ...f(0), pts: 4500, data: black }, c: f(7200) });
    });
  });

  it('leaves the gap of a long run of drops (more than 8): its repeats would burst into the encoder', () => {
    const scheduler = new TestScheduler((a, b) => expect(a).toEqual(b));
    scheduler.run(({ cold, expectObservable }) => {
      const dropped = new DroppedFrames();
      for (let k = 1; k <= 9; k++) dropped.add(k * 3600);
      const src = cold('a 159ms e', { a: f(0), e: f(36000) });
      const out = src.pipe(fillGaps({ gapMs: 1000, frameIntervalMs: () => 40, scheduler, dropped }));
      expectObservable(out, '^ 199ms !').toBe('a 159ms e', { a: f(0), e: f(36000) });
    });
  });
});
