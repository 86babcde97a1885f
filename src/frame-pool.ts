/**
 * Frame buffers the live pipeline reuses instead of allocating one per frame. A 720p25 camera allocated
 * 35 MB of frame buffers a second; V8 counts them as external memory, and with the detector's input
 * tensors (src/track/input-buffers.ts) they started ~5 full garbage collections a second on the thread
 * that also moves every frame (README, runs 49–54 of the live bench).
 *
 * Ownership is explicit. `take` hands the caller a buffer for the synchronous turn it runs in; every stage
 * that keeps a buffer past that turn (a queue, a running detection, an encoder write in flight, the last
 * frame kept for repeats) `hold`s it then and `release`s it once it is done, and a buffer goes back to the
 * free list only when the last holder released it. A stage that forgets to release costs an allocation
 * (the buffer is garbage-collected as before: the pool keeps no reference to buffers in use). A stage that
 * released too early could see its pixels replaced by a newer raw frame, which is why only stages that read
 * a frame asynchronously hold it, each in one place, and misuse the pool can see (a hold of a free buffer,
 * a release of an unheld one) is counted and made harmless rather than trusted.
 * Buffers not taken from a pool (tests, the file pipeline) pass through hold and release untouched.
 */
export interface FramePoolStats {
  /** Buffers this pool allocated (a steady count once the pipeline is warm). */
  readonly allocated: number;
  /** Buffers on the free list. */
  readonly free: number;
  /** Holds of a buffer on the free list, and releases of one nobody held: 0 unless a stage has a bug. */
  readonly misuse: number;
}

interface State {
  holds: number;
  free: boolean;
}

export class FramePool {
  private readonly state = new WeakMap<Buffer, State>();
  /** Free buffers by byte length. */
  private readonly free = new Map<number, Buffer[]>();
  private freeBytes = 0;
  private allocated = 0;
  private misuse = 0;

  /** @param maxFreeBytes most bytes kept on the free list (beyond that a released buffer is left to the garbage collector) */
  constructor(private readonly maxFreeBytes = 128 * 1024 * 1024) {}

  /** A buffer of `size` bytes with unspecified contents, unheld: hold it to keep it past this turn. */
  take(size: number): Buffer {
    const buffer = this.free.get(size)?.pop();
    if (buffer) {
      this.freeBytes -= size;
      this.state.get(buffer)!.free = false;
      return buffer;
    }
    this.allocated++;
    const fresh = Buffer.allocUnsafeSlow(size);
    this.state.set(fresh, { holds: 0, free: false });
    return fresh;
  }

  /** Keeps `buffer` from being handed out again until a matching release. */
  hold(buffer: Buffer): void {
    const s = this.state.get(buffer);
    if (!s) return;
    if (s.free) {
      // Held after its last release: take it off the free list so nothing new is written into it.
      this.misuse++;
      this.unlist(buffer);
      s.free = false;
    }
    s.holds++;
  }

  release(buffer: Buffer): void {
    const s = this.state.get(buffer);
    if (!s) return;
    if (s.holds === 0) {
      this.misuse++;
      return;
    }
    if (--s.holds > 0 || this.freeBytes + buffer.length > this.maxFreeBytes) return;
    s.free = true;
    this.freeBytes += buffer.length;
    const list = this.free.get(buffer.length);
    if (list) list.push(buffer);
    else this.free.set(buffer.length, [buffer]);
  }

  stats(): FramePoolStats {
    let free = 0;
    for (const list of this.free.values()) free += list.length;
    return { allocated: this.allocated, free, misuse: this.misuse };
  }

  private unlist(buffer: Buffer): void {
    const list = this.free.get(buffer.length)!;
    list.splice(list.indexOf(buffer), 1);
    this.freeBytes -= buffer.length;
  }
}

/** The process's pool: every camera's decoder takes from it, and the live stages hold and release. */
export const framePool = new FramePool();
