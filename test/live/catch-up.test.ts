import { from, lastValueFrom, tap, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { catchUp } from '../../src/live/catch-up.js';

describe('catchUp', () => {
  it('drops every other item while the lag is above the threshold, and none below it', async () => {
    const lags = [0, 10, 200, 220, 240, 260, 100, 50, 300, 0];
    let lag = 0;
    const dropped: number[] = [];
    const kept = await lastValueFrom(
      from(lags.map((_, i) => i)).pipe(
        tap((i) => (lag = lags[i])),
        catchUp<number>({ lagMs: 150, currentLagMs: () => lag, onDrop: (i) => dropped.push(i as number) }),
        toArray(),
      ),
    );
    expect(dropped).toEqual([2, 4, 8]);
    expect(kept).toEqual([0, 1, 3, 5, 6, 7, 9]);
  });
});
