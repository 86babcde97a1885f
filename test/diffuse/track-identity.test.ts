import { describe, expect, it } from 'vitest';
import { laplacianVariance, TrackIdentity } from '../../src/diffuse/track-identity.js';

describe('TrackIdentity', () => {
  it('keeps the 8 sharpest embeddings and returns the same array until the set changes', () => {
    const id = new TrackIdentity(1);
    for (let i = 0; i < 8; i++) id.add(new Float32Array([1, 0]), 10 + i);
    const first = id.negated();
    expect(Array.from(first)).toEqual([-1, -0]);
    id.add(new Float32Array([0, 1]), 5); // blurrier than all kept: ignored
    expect(id.negated()).toBe(first);
    id.add(new Float32Array([0, 1]), 100); // sharper: replaces the least sharp
    expect(id.size).toBe(8);
    const next = id.negated();
    expect(next).not.toBe(first);
    expect(next[1]).toBeLessThan(0);
  });
});

describe('laplacianVariance', () => {
  it('is 0 on a flat crop and larger on a sharper pattern', () => {
    const size = 16, n = size * size;
    const flat = new Float32Array(3 * n).fill(0.3);
    const checker = new Float32Array(3 * n).map((_, i) => (((i % n) % size) + Math.floor((i % n) / size)) % 2 ? 1 : -1);
    const stripes = new Float32Array(3 * n).map((_, i) => (Math.floor(((i % n) % size) / 4) % 2 ? 1 : -1));
    expect(laplacianVariance(flat, size)).toBeCloseTo(0, 10);
    expect(laplacianVariance(checker, size)).toBeGreaterThan(laplacianVariance(stripes, size));
  });
});
