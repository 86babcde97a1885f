import { Subject } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { processBounded } from '../../src/live/process-bounded.js';

/** A stage whose calls finish when the test says so. */
function manualStage() {
  const calls: Array<{ item: number; finish: () => void }> = [];
  const fn = (item: number) => new Promise<number>((resolve) => calls.push({ item, finish: () => resolve(item * 10) }));
  return { calls, fn };
}
const tick = () => new Promise((r) => setTimeout(r, 0));

describe('processBounded', () => {
  it('processes one at a time, keeps the freshest waiting items and drops the oldest', async () => {
    const { calls, fn } = manualStage();
    const input = new Subject<number>();
    const out: number[] = [];
    const dropped: number[] = [];
    let completed = false;
    input.pipe(processBounded(fn, { capacity: 1, onDrop: (i) => dropped.push(i) })).subscribe({ next: (v) => out.push(v), complete: () => (completed = true) });
    [1, 2, 3, 4].forEach((i) => input.next(i));
    expect(calls.map((c) => c.item)).toEqual([1]);
    expect(dropped).toEqual([2, 3]);
    calls[0].finish();
    await tick();
    expect(calls.map((c) => c.item)).toEqual([1, 4]);
    input.complete();
    expect(completed).toBe(false); // 4 still in progress
    calls[1].finish();
    await tick();
    expect(out).toEqual([10, 40]);
    expect(completed).toBe(true);
  });

  it('drops everything that arrives while busy with capacity 0, and never holds more than capacity', async () => {
    const { calls, fn } = manualStage();
    const input = new Subject<number>();
    let dropped = 0;
    input.pipe(processBounded(fn, { capacity: 0, onDrop: () => dropped++ })).subscribe();
    for (let i = 0; i < 1000; i++) input.next(i);
    expect(calls).toHaveLength(1);
    expect(dropped).toBe(999);
  });

  it('passes a stage error on and stops', async () => {
    const input = new Subject<number>();
    let error: unknown;
    input.pipe(processBounded(async () => Promise.reject(new Error('boom')), { capacity: 1, onDrop: () => {} })).subscribe({ error: (e) => (error = e) });
    input.next(1);
    await tick();
    expect((error as Error).message).toBe('boom');
  });

  it("tells the running item when a newer one is waiting (or was already waiting when it started)", async () => {
    const seen: Array<{ item: number; newer: Promise<void> }> = [];
    const calls: Array<() => void> = [];
    const fn = (item: number, behind: { newer: Promise<void> }) => {
      seen.push({ item, newer: behind.newer });
      return new Promise<number>((resolve) => calls.push(() => resolve(item)));
    };
    const state = (p: Promise<void>) => Promise.race([p.then(() => 'resolved'), tick().then(() => 'pending')]);
    const input = new Subject<number>();
    input.pipe(processBounded(fn, { capacity: 1, onDrop: () => {} })).subscribe();
    input.next(1);
    expect(await state(seen[0].newer)).toBe('pending');
    input.next(2);
    expect(await state(seen[0].newer)).toBe('resolved');
    input.next(3); // 2 dropped, 3 waits
    calls[0]();
    await tick();
    expect(seen[1].item).toBe(3);
    expect(await state(seen[1].newer)).toBe('pending');
    input.next(4);
    calls[1]();
    await tick();
    expect(await state(seen[2].newer)).toBe('pending'); // 4 was the last one
  });

  it('says when each processed item is done, after its result went on (the stages after it hold what they keep by then), and after an error', async () => {
    const { calls, fn } = manualStage();
    const input = new Subject<number>();
    const log: string[] = [];
    input.pipe(processBounded(fn, { capacity: 1, onDrop: (i) => log.push(`drop ${i}`), onDone: (i) => log.push(`done ${i}`) })).subscribe((v) => log.push(`out ${v}`));
    [1, 2, 3].forEach((i) => input.next(i));
    calls[0].finish();
    await tick();
    calls[1].finish();
    await tick();
    expect(log).toEqual(['drop 2', 'out 10', 'done 1', 'out 30', 'done 3']);

    const failing = new Subject<number>();
    const done: number[] = [];
    failing.pipe(processBounded(async () => Promise.reject(new Error('boom')), { capacity: 1, onDrop: () => {}, onDone: (i) => done.push(i) })).subscribe({ error: () => {} });
    failing.next(7);
    await tick();
    expect(done).toEqual([7]);
  });
});
