import { describe, expect, it } from 'vitest';
import { backoffDelay } from '../../src/ingest/backoff.js';

describe('backoffDelay', () => {
  it('doubles from the initial delay and stops at the cap', () => {
    expect([1, 2, 3, 4, 5, 50].map((a) => backoffDelay(a, { initialMs: 500, maxMs: 3000 }))).toEqual([500, 1000, 2000, 3000, 3000, 3000]);
  });
  it('takes another factor', () => {
    expect([1, 2, 3].map((a) => backoffDelay(a, { initialMs: 100, maxMs: 1e6, factor: 3 }))).toEqual([100, 300, 900]);
  });
});
