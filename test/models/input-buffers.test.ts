import { describe, expect, it } from 'vitest';
import { InputBuffers } from '../../src/models/input-buffers.js';

describe('InputBuffers', () => {
  it('gives calls that run at once their own array, and reuses arrays once their calls settled (failed ones too)', async () => {
    const inputs = new InputBuffers(12);
    const seen: Float32Array[] = [];
    let finish!: () => void;
    const first = inputs.use(async (a) => (seen.push(a), new Promise<void>((r) => (finish = r))));
    await inputs.use(async (b) => void seen.push(b));
    expect(seen[1]).not.toBe(seen[0]);
    expect(seen[1]).toHaveLength(12);
    finish();
    await first;
    await expect(inputs.use(async (c) => (seen.push(c), Promise.reject(new Error('model failed'))))).rejects.toThrow('model failed');
    await inputs.use(async (d) => void seen.push(d));
    expect([seen[2], seen[3]].every((a) => a === seen[0] || a === seen[1])).toBe(true);
  });

  it('makes shared ones on a SharedArrayBuffer, for runners on another thread', async () => {
    const shared = new InputBuffers(4, true).take();
    expect(shared.buffer).toBeInstanceOf(SharedArrayBuffer);
    expect(shared).toHaveLength(4);
    expect(new InputBuffers(4).take().buffer).toBeInstanceOf(ArrayBuffer);
  });
});
