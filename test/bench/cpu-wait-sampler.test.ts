import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CpuWaitSampler } from '../../src/bench/cpu-wait-sampler.js';

const hasSchedstat = existsSync(`/proc/${process.pid}/task/${process.pid}/schedstat`);
const hasPressure = existsSync('/proc/pressure/cpu');

describe('CpuWaitSampler', () => {
  it('records one interval per reading after the first, per thread and for the machine, where /proc has them', async () => {
    const sampler = new CpuWaitSampler(process.pid);
    sampler.sample();
    expect(sampler.samples).toEqual([]);
    for (let i = 0; i < 3; i++) {
      await new Promise((r) => setTimeout(r, 50));
      sampler.sample();
    }
    expect(sampler.samples).toHaveLength(3);
    for (const x of sampler.samples) {
      if (hasSchedstat) {
        // Waits are ms per second: a thread cannot wait longer than the interval, and the sum is at least the most any one thread waited.
        expect(x.proxyThreadMaxMs!).toBeLessThanOrEqual(1000 * 1.05);
        expect(x.proxyMs!).toBeGreaterThanOrEqual(x.proxyThreadMaxMs!);
        expect(x.proxyThreadMaxMs!).toBeGreaterThanOrEqual(0);
      } else expect([x.proxyMs, x.proxyThreadMaxMs]).toEqual([null, null]);
      if (hasPressure) expect(x.machineMs).toBeGreaterThanOrEqual(0);
      else expect(x.machineMs).toBeNull();
    }
    const summary = sampler.summary();
    if (hasSchedstat) expect(summary.proxyMs!.p50).toBeLessThanOrEqual(summary.proxyMs!.max);
    else expect(summary.proxyMs).toBeNull();
  });

  it('picks the samples of a window (from, to] by second', () => {
    const sampler = new CpuWaitSampler(process.pid);
    const at = (s: number) => ({ s, proxyMs: s, proxyThreadMaxMs: s, machineMs: s });
    sampler.samples.push(at(1), at(2), at(3), at(12));
    expect(sampler.window(1, 3).map((x) => x.s)).toEqual([2, 3]);
    expect(sampler.window(2, 12).map((x) => x.s)).toEqual([3, 12]);
  });

  it('gives nulls for a process that does not exist', async () => {
    const sampler = new CpuWaitSampler(2 ** 22 + 1);
    sampler.sample();
    await new Promise((r) => setTimeout(r, 20));
    sampler.sample();
    expect(sampler.samples[0]).toMatchObject({ proxyMs: null, proxyThreadMaxMs: null });
  });
});
