/**
 * When is a recorder's segment finished? When its size and modification time have not changed for a
 * settle period: a recorder that is still writing grows the file or touches its mtime well within that
 * time. Pure bookkeeping over observations; the caller stats the files and supplies the clock.
 */

export interface FileObservation {
  readonly size: number;
  readonly mtimeMs: number;
}

export class SegmentStability {
  private readonly seen = new Map<string, FileObservation & { readonly sinceMs: number }>();

  /** @param settleMs how long a file must stay unchanged to count as closed */
  constructor(private readonly settleMs: number) {}

  /**
   * Records what a scan saw.
   * @returns true once the file has been unchanged for the settle period
   */
  observe(file: string, now: FileObservation, nowMs: number): boolean {
    const before = this.seen.get(file);
    if (!before || before.size !== now.size || before.mtimeMs !== now.mtimeMs) {
      this.seen.set(file, { size: now.size, mtimeMs: now.mtimeMs, sinceMs: nowMs });
      return false;
    }
    return nowMs - before.sinceMs >= this.settleMs;
  }

  /** Drops files that were not in the last scan (deleted or moved). */
  retain(files: ReadonlySet<string>): void {
    for (const file of this.seen.keys()) if (!files.has(file)) this.seen.delete(file);
  }
}
