/** The secure method as its own inverse, with the analytic predictor: math only, not image quality. */
import { describe, expect, it } from 'vitest';
import { SamplingSchedule } from '../../src/diffuse/sampling-schedule.js';
import { SecureMethod } from '../../src/diffuse/secure-method.js';
import { GaussianDataPredictor, SD15_SCHEDULER, testLatent } from './analytic-predictor.js';

const SHAPE = { channels: 4, height: 8, width: 8 };
const SIZE = 4 * 64;
const mask = new Uint8Array(64).map((_, i) => (Math.floor(i / 8) >= 2 && Math.floor(i / 8) < 7 && i % 8 >= 1 && i % 8 < 7 ? 1 : 0));

function rmsInside(a: Float32Array, b: Float32Array): number {
  let s = 0, n = 0;
  for (let i = 0; i < SIZE; i++) if (mask[i % 64]) (s += (a[i] - b[i]) ** 2), n++;
  return Math.sqrt(s / n);
}

describe('SecureMethod: anonymizing twice with the same key undoes it (up to DDIM inversion error)', () => {
  it.each([12, 50])('%i steps', async (steps) => {
    const method = (secret: number) => new SecureMethod(new GaussianDataPredictor(SHAPE), new SamplingSchedule(SD15_SCHEDULER, steps), Promise.resolve({}), new Uint8Array(32).fill(secret));
    const x0 = testLatent(SIZE, 11);
    const key = { track: 1, frame: 0 };
    const [anon] = await method(1).anonymize([{ key, x0, mask }]);
    const [back] = await method(1).anonymize([{ key, x0: anon, mask }]);
    const [wrong] = await method(2).anonymize([{ key, x0: anon, mask }]);
    for (let i = 0; i < SIZE; i++) if (!mask[i % 64]) expect(back[i]).toBe(x0[i]);
    const changed = rmsInside(anon, x0), recovered = rmsInside(back, x0), wrongKey = rmsInside(wrong, x0);
    console.log(`secure round trip, ${steps} steps: anonymized RMS change ${changed.toFixed(3)}, right key ${recovered.toFixed(3)}, wrong key ${wrongKey.toFixed(3)}`);
    expect(changed).toBeGreaterThan(0.3);
    expect(recovered).toBeLessThan(changed / 4);
    expect(wrongKey).toBeGreaterThan(changed / 2);
  });
});
