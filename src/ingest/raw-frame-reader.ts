/**
 * Pull-based reads of fixed-size frames from a byte stream. The stream stays in paused mode: Node only
 * reads from the pipe while its buffer is below the high-water mark (raised to one frame by `read(n)`),
 * so a reader that stops asking stops the pipe and the writer (ffmpeg) blocks. Nothing here buffers more
 * than about one frame.
 */
import type { Readable } from 'node:stream';

export class RawFrameReader {
  private ended = false;
  private failure: Error | null = null;
  /** The read in progress, retried on every stream event. */
  private pending: (() => void) | null = null;

  constructor(private readonly stream: Readable) {
    // The 'readable' listener stays attached for the stream's whole life: child_process resumes (switches to
    // flowing mode) any stdout without one when the child exits, and the frames still buffered would then be
    // emitted to nobody and lost.
    stream.on('readable', () => this.pending?.());
    stream.once('end', () => {
      this.ended = true;
      this.pending?.();
    });
    // Destroyed by teardown (no 'end'): a read still pending resolves null instead of hanging.
    stream.once('close', () => {
      this.ended = true;
      this.pending?.();
    });
    stream.once('error', (error) => {
      this.failure = error;
      this.pending?.();
    });
  }

  /**
   * Resolves with exactly `size` bytes (a new Buffer), or null once the stream ended cleanly between frames.
   * One read at a time.
   * @param size frame size in bytes, > 0
   * @throws RangeError when the stream ends inside a frame (the writer died mid-frame).
   */
  read(size: number): Promise<Buffer | null> {
    if (this.pending) return Promise.reject(new Error('RawFrameReader.read called while a read is pending'));
    return new Promise((resolve, reject) => {
      const attempt = () => {
        if (this.failure) {
          this.pending = null;
          reject(this.failure);
          return;
        }
        const chunk = this.stream.read(size) as Buffer | null;
        if (chunk !== null) {
          this.pending = null;
          if (chunk.length === size) resolve(chunk);
          else reject(new RangeError(`stream ended inside a frame: got ${chunk.length} of ${size} bytes`));
          return;
        }
        if (this.ended) {
          this.pending = null;
          resolve(null);
        }
      };
      this.pending = attempt;
      attempt();
    });
  }
}
