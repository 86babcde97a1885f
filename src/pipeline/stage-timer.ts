/** Wall time spent per named stage, for `--progress json` summaries and `npm run bench`. */
export class StageTimer {
  private readonly totals = new Map<string, number>();

  /** Runs `fn`, adding its wall time (ms) to `stage`. */
  async time<T>(stage: string, fn: () => Promise<T> | T): Promise<T> {
    const t0 = performance.now();
    try {
      return await fn();
    } finally {
      this.add(stage, performance.now() - t0);
    }
  }

  add(stage: string, ms: number): void {
    this.totals.set(stage, (this.totals.get(stage) ?? 0) + ms);
  }

  /** Milliseconds per stage, in first-seen order. */
  snapshot(): Record<string, number> {
    return Object.fromEntries(this.totals);
  }
}
