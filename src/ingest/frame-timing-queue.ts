/**
 * Hands out showinfo's per-frame timing in frame order. Stderr (timing) and stdout (pixels) arrive on two
 * pipes with no ordering between them; the decoder asks for the timing of frame n and waits until that
 * line has arrived, or gets null once ffmpeg has exited without printing it.
 */
import type { Rational } from '../frame.js';
import type { ShowinfoFrame, ShowinfoLine } from './showinfo-parser.js';

export class FrameTimingQueue {
  private readonly frames = new Map<number, ShowinfoFrame>();
  private waiter: { n: number; resolve: (frame: ShowinfoFrame | null) => void } | null = null;
  private closed = false;
  /** Filter input time base, from showinfo's "config in" line (printed before the first frame). */
  timeBase: Rational | null = null;

  push(line: ShowinfoLine): void {
    if (line.kind === 'timeBase') {
      this.timeBase = line.timeBase;
      return;
    }
    if (this.waiter?.n === line.n) {
      const { resolve } = this.waiter;
      this.waiter = null;
      resolve(line);
      return;
    }
    this.frames.set(line.n, line);
  }

  /** No more lines will come (ffmpeg exited); a pending or later `take` resolves null. */
  close(): void {
    this.closed = true;
    if (this.waiter) {
      const { resolve } = this.waiter;
      this.waiter = null;
      resolve(null);
    }
  }

  /** Timing of frame `n` (0-based), removed from the queue; null when ffmpeg exited without printing it. */
  take(n: number): Promise<ShowinfoFrame | null> {
    const ready = this.frames.get(n);
    if (ready) {
      this.frames.delete(n);
      return Promise.resolve(ready);
    }
    if (this.closed) return Promise.resolve(null);
    return new Promise((resolve) => (this.waiter = { n, resolve }));
  }
}
