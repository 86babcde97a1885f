import { describe, expect, it } from 'vitest';
import { FrameTimingQueue } from '../../src/ingest/frame-timing-queue.js';

const frame = (n: number, pts: number | null = n * 10) => ({ kind: 'frame' as const, n, pts, width: 2, height: 2 });

describe('FrameTimingQueue', () => {
  it('hands out lines that arrived before they were asked for', async () => {
    const q = new FrameTimingQueue();
    q.push({ kind: 'timeBase', timeBase: { num: 1, den: 25 } });
    q.push(frame(0));
    q.push(frame(1));
    expect(await q.take(0)).toMatchObject({ n: 0, pts: 0 });
    expect(await q.take(1)).toMatchObject({ n: 1, pts: 10 });
    expect(q.timeBase).toEqual({ num: 1, den: 25 });
  });

  it('waits for a line that comes later', async () => {
    const q = new FrameTimingQueue();
    const pending = q.take(0);
    q.push(frame(0, 42));
    expect(await pending).toMatchObject({ n: 0, pts: 42 });
  });

  it('resolves null once closed without the line', async () => {
    const q = new FrameTimingQueue();
    const pending = q.take(3);
    q.close();
    expect(await pending).toBeNull();
    expect(await q.take(4)).toBeNull();
  });
});
