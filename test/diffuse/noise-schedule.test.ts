import { describe, expect, it } from 'vitest';
import { alphasCumprod, inferenceTimesteps } from '../../src/diffuse/noise-schedule.js';
import { SamplingSchedule } from '../../src/diffuse/sampling-schedule.js';
import { posteriorStd } from '../../src/diffuse/ddim-step.js';
import { SD15_SCHEDULER } from './analytic-predictor.js';

describe('alphasCumprod', () => {
  it('matches diffusers for SD 1.5 (scaled_linear 0.00085 → 0.012)', () => {
    const ab = alphasCumprod(SD15_SCHEDULER);
    expect(ab.length).toBe(1000);
    expect(ab[0]).toBeCloseTo(0.99915, 6);
    expect(ab[1]).toBeCloseTo(0.998296, 6);
    expect(ab[291]).toBeCloseTo(0.605627, 6);
    expect(ab[991]).toBeCloseTo(0.00513, 6);
  });

  it('linear: β evenly spaced, so ᾱ₁ = (1−β₀)(1−β₁)', () => {
    const ab = alphasCumprod({ ...SD15_SCHEDULER, betaSchedule: 'linear', betaStart: 0.0001, betaEnd: 0.02 });
    const b1 = 0.0001 + (0.02 - 0.0001) / 999;
    expect(ab[1]).toBeCloseTo((1 - 0.0001) * (1 - b1), 12);
  });
});

describe('inferenceTimesteps', () => {
  it('leading with offset 1: 991, 981, …, 1 for 100 steps', () => {
    const t = inferenceTimesteps(SD15_SCHEDULER, 100);
    expect(t.length).toBe(100);
    expect(t.slice(0, 3)).toEqual([991, 981, 971]);
    expect(t[70]).toBe(291);
    expect(t.at(-1)).toBe(1);
  });

  it('trailing and linspace as diffusers (numpy rounding)', () => {
    expect(inferenceTimesteps({ ...SD15_SCHEDULER, timestepSpacing: 'trailing' }, 4)).toEqual([999, 749, 499, 249]);
    expect(inferenceTimesteps({ ...SD15_SCHEDULER, timestepSpacing: 'linspace' }, 4)).toEqual([999, 666, 333, 0]);
    // 1000 − 1000/400·3 = 992.5 → 992 (half to even) → 991
    expect(inferenceTimesteps({ ...SD15_SCHEDULER, timestepSpacing: 'trailing' }, 400)[3]).toBe(991);
  });

  it('rejects steps outside 1..T', () => {
    expect(() => inferenceTimesteps(SD15_SCHEDULER, 0)).toThrow(/steps/);
    expect(() => inferenceTimesteps(SD15_SCHEDULER, 1001)).toThrow(/steps/);
  });
});

describe('SamplingSchedule', () => {
  it('NullFace: 100 steps, T_skip 70 start at τ = 291 and end at ᾱ₀', () => {
    const s = new SamplingSchedule(SD15_SCHEDULER, 100, 70);
    expect(s.length).toBe(30);
    expect(s.timesteps[0]).toBe(291);
    expect(s.alphaBars[0]).toBeCloseTo(0.605627, 6);
    expect(s.alphaBars[30]).toBeCloseTo(0.99915, 6);
  });

  it("nullcam's default: 20 steps, T_skip 13 start at τ = 301 (ᾱ ≈ 0.589, the paper's τ = 291 has 0.61) and run 7", () => {
    const s = new SamplingSchedule(SD15_SCHEDULER, 20, 13);
    expect(s.timesteps).toEqual([301, 251, 201, 151, 101, 51, 1]);
    expect(s.alphaBars[0]).toBeCloseTo(0.5888, 4);
  });

  it('σ matches the digest: σ₂₉₁ = 0.1606, σ₁ = 0.0206', () => {
    const s = new SamplingSchedule(SD15_SCHEDULER, 100, 70);
    expect(posteriorStd(s.alphaBars[0], s.alphaBars[1])).toBeCloseTo(0.1606, 4);
    expect(posteriorStd(s.alphaBars[29], s.alphaBars[30])).toBeCloseTo(0.0206, 4);
  });

  it('rejects a T_skip that leaves no step', () => {
    expect(() => new SamplingSchedule(SD15_SCHEDULER, 10, 10)).toThrow(/tSkip/);
  });
});
