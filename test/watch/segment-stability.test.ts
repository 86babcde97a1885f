import { describe, expect, it } from 'vitest';
import { SegmentStability } from '../../src/watch/segment-stability.js';

describe('SegmentStability', () => {
  it('calls a file closed only after it stayed unchanged for the settle period', () => {
    const s = new SegmentStability(1000);
    expect(s.observe('a', { size: 10, mtimeMs: 1 }, 0)).toBe(false); // first sight
    expect(s.observe('a', { size: 20, mtimeMs: 2 }, 600)).toBe(false); // growing: the period restarts
    expect(s.observe('a', { size: 20, mtimeMs: 2 }, 1500)).toBe(false); // 900 ms unchanged
    expect(s.observe('a', { size: 20, mtimeMs: 3 }, 1700)).toBe(false); // touched without growing
    expect(s.observe('a', { size: 20, mtimeMs: 3 }, 2700)).toBe(true);
  });

  it('forgets files that disappeared, so a file of the same name starts over', () => {
    const s = new SegmentStability(100);
    s.observe('a', { size: 1, mtimeMs: 1 }, 0);
    s.retain(new Set());
    expect(s.observe('a', { size: 1, mtimeMs: 1 }, 500)).toBe(false);
  });
});
