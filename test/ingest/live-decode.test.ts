import { describe, expect, it } from 'vitest';
import { plausibleFrameRate } from '../../src/ingest/live-decode.js';

describe('plausibleFrameRate', () => {
  it("keeps a camera's rate and drops the time base ffmpeg prints when it could not estimate one", () => {
    expect(plausibleFrameRate({ num: 30000, den: 1001 })).toEqual({ num: 30000, den: 1001 });
    expect(plausibleFrameRate({ num: 240, den: 1 })).toEqual({ num: 240, den: 1 });
    // "90k tbr": MPEG-TS joined between keyframes with a quick probe.
    expect(plausibleFrameRate({ num: 90000, den: 1 })).toBeNull();
    expect(plausibleFrameRate(null)).toBeNull();
  });
});
