/**
 * What `nullcam watch` has done, keyed by the segment's path relative to the watched directory, with the
 * size and mtime the segment had when it was taken. Saved after every change by writing a temp file,
 * fsyncing it and renaming it over the old one, so a kill at any moment leaves the old or the new state,
 * never a torn one.
 */
import { mkdir, open, readdir, readFile, rename, unlink } from 'node:fs/promises';
import path from 'node:path';
import { NullcamError } from '../errors.js';

export interface SegmentRecord {
  readonly status: 'done' | 'failed';
  /** The segment's size and mtime when it was taken: a segment that changes later is a new recording. */
  readonly size: number;
  readonly mtimeMs: number;
  /** Relative path under the output directory (done). */
  readonly output?: string;
  /** One-line reason (failed). */
  readonly reason?: string;
  /** ISO time of the record. */
  readonly at: string;
}

interface StateFile {
  readonly version: 1;
  readonly segments: Record<string, SegmentRecord>;
}

export class WatchState {
  private constructor(
    readonly file: string,
    private readonly segments: Map<string, SegmentRecord>,
  ) {}

  /**
   * Reads the state file; a missing file is an empty state.
   * @throws NullcamError when the file exists but is not a watch state
   */
  static async load(file: string): Promise<WatchState> {
    // Temp files of saves that a kill interrupted (`<state>.<pid>.tmp`): the state itself is intact.
    const prefix = `${path.basename(file)}.`;
    for (const name of await readdir(path.dirname(file)).catch(() => [] as string[])) {
      if (name.startsWith(prefix) && /^\d+\.tmp$/.test(name.slice(prefix.length))) await unlink(path.join(path.dirname(file), name)).catch(() => {});
    }
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return new WatchState(file, new Map());
      throw new NullcamError(`Cannot read the watch state ${file} (${(error as NodeJS.ErrnoException).code}); check its permissions.`, 2, { cause: error });
    }
    try {
      const parsed = JSON.parse(text) as StateFile;
      if (parsed.version !== 1 || typeof parsed.segments !== 'object' || parsed.segments === null) throw new Error('unknown layout');
      return new WatchState(file, new Map(Object.entries(parsed.segments)));
    } catch (error) {
      throw new NullcamError(`${file} is not a nullcam watch state (${(error as Error).message}); move it away to start over, or pass another --state.`, 2, { cause: error });
    }
  }

  get(segment: string): SegmentRecord | undefined {
    return this.segments.get(segment);
  }

  get size(): number {
    return this.segments.size;
  }

  /** Sets a segment's record and saves. */
  async record(segment: string, record: Omit<SegmentRecord, 'at'>): Promise<void> {
    this.segments.set(segment, { ...record, at: new Date().toISOString() });
    await this.save();
  }

  /**
   * Forgets segments that no longer exist in the watched directory (recorder retention, deleted
   * originals), so the state stays as small as the directory. Saves when anything was dropped.
   */
  async retain(present: ReadonlySet<string>): Promise<void> {
    let changed = false;
    for (const segment of [...this.segments.keys()]) {
      if (!present.has(segment)) changed = this.segments.delete(segment) || changed;
    }
    if (changed) await this.save();
  }

  private async save(): Promise<void> {
    await mkdir(path.dirname(this.file), { recursive: true });
    const temp = `${this.file}.${process.pid}.tmp`;
    const body: StateFile = { version: 1, segments: Object.fromEntries(this.segments) };
    const handle = await open(temp, 'w');
    try {
      await handle.writeFile(`${JSON.stringify(body, null, 1)}\n`);
      await handle.sync();
    } finally {
      await handle.close();
    }
    try {
      await rename(temp, this.file);
    } catch (error) {
      await unlink(temp).catch(() => {});
      throw new NullcamError(`Cannot write the watch state ${this.file} (${(error as NodeJS.ErrnoException).code}); check the directory is writable.`, 1, { cause: error });
    }
    // The rename is durable once the directory entry is on disk.
    const dir = await open(path.dirname(this.file), 'r');
    await dir.sync().finally(() => dir.close());
  }
}
