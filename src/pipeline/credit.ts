/**
 * Backpressure between the decoder and the encoder. RxJS pushes; it has no demand signal. The source
 * takes one credit before it reads a frame and the sink gives it back once the frame is written, so at
 * most `limit` frames are alive between them. When the pipeline is behind, the source stops reading
 * ffmpeg's stdout, the pipe fills and the decoder blocks: memory stays bounded whatever the input length.
 */
export class Credit {
  private available: number;
  private readonly waiters: Array<() => void> = [];

  /** @param limit frames allowed in flight, >= 1 */
  constructor(readonly limit: number) {
    if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`credit limit must be a positive integer, got ${limit}`);
    this.available = limit;
  }

  /** Resolves once a credit is free, and takes it. */
  take(): Promise<void> {
    if (this.available > 0) {
      this.available--;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Returns one credit (wakes one waiting taker, if any). */
  give(): void {
    const next = this.waiters.shift();
    if (next) next();
    else if (this.available < this.limit) this.available++;
  }

  /** Frames currently in flight. */
  get inFlight(): number {
    return this.limit - this.available;
  }
}
