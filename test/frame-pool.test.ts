import { describe, expect, it } from 'vitest';
import { FramePool } from '../src/frame-pool.js';

describe('FramePool', () => {
  it('hands a buffer out again only after its last holder released it', () => {
    const pool = new FramePool();
    const a = pool.take(100);
    pool.hold(a);
    pool.hold(a);
    pool.release(a);
    const b = pool.take(100);
    expect(b).not.toBe(a);
    pool.release(a);
    expect(pool.take(100)).toBe(a);
    expect(pool.stats()).toEqual({ allocated: 2, free: 0, misuse: 0 });
  });

  it('keeps sizes apart', () => {
    const pool = new FramePool();
    const a = pool.take(100);
    pool.hold(a);
    pool.release(a);
    expect(pool.take(50)).not.toBe(a);
    expect(pool.take(100)).toBe(a);
  });

  it('never reuses a buffer taken but not held: it is left to the garbage collector', () => {
    const pool = new FramePool();
    pool.take(100);
    expect(pool.take(100)).not.toBe(pool.take(100));
    expect(pool.stats().allocated).toBe(3);
  });

  it('makes a hold of a free buffer harmless: it leaves the free list and counts as misuse', () => {
    const pool = new FramePool();
    const a = pool.take(100);
    pool.hold(a);
    pool.release(a);
    pool.hold(a); // a stage that kept the buffer past its release
    expect(pool.take(100)).not.toBe(a);
    expect(pool.stats().misuse).toBe(1);
    pool.release(a);
    expect(pool.take(100)).toBe(a);
  });

  it('ignores a release of a buffer nobody holds (counted), so it cannot free a buffer another stage holds', () => {
    const pool = new FramePool();
    const a = pool.take(100);
    pool.release(a);
    pool.hold(a);
    pool.release(a);
    pool.release(a);
    expect(pool.stats()).toEqual({ allocated: 1, free: 1, misuse: 2 });
  });

  it('passes buffers it did not allocate through hold and release untouched', () => {
    const pool = new FramePool();
    const foreign = Buffer.alloc(100);
    pool.hold(foreign);
    pool.release(foreign);
    pool.release(foreign);
    expect(pool.take(100)).not.toBe(foreign);
    expect(pool.stats()).toEqual({ allocated: 1, free: 0, misuse: 0 });
  });

  it('keeps at most maxFreeBytes on the free list', () => {
    const pool = new FramePool(250);
    const buffers = [pool.take(100), pool.take(100), pool.take(100)];
    for (const b of buffers) {
      pool.hold(b);
      pool.release(b);
    }
    expect(pool.stats().free).toBe(2);
  });
});
