/** Sets a V8 flag for this test file's process (vitest runs each file in its own fork). */
import { getHeapSpaceStatistics } from 'node:v8';
import { describe, expect, it } from 'vitest';
import { capYoungGeneration } from '../../src/live/young-generation-cap.js';

const youngBytes = () => getHeapSpaceStatistics().find((s) => s.space_name === 'new_space')!.space_size;

/** Many short-lived objects, a million of them alive at a time: what makes V8 grow its young generation. */
function churn(): void {
  let live: object[] = [];
  for (let i = 0; i < 2e7; i++) {
    live.push({ i });
    if (live.length > 1e6) live = [];
  }
}

describe('capYoungGeneration', () => {
  it('keeps the young generation at the size it had reached from then on', () => {
    capYoungGeneration(0.5)(); // the cap (1 MB) is below any young generation: it applies at once
    const capped = youngBytes();
    churn();
    expect(youngBytes()).toBeLessThanOrEqual(capped);
  });
});
