/**
 * A pipe for raw frames from a child process, read without an allocation per read. A child's stdout
 * ('pipe' in spawn) hands Node a new 64 KB buffer for every read: ~22 per 720p frame, 550 a second at
 * 25 fps, each freed only by a garbage collection. Here the pipe is read into one reused buffer and
 * copied straight into the frame being assembled: one allocation per frame, the frame itself.
 * Node has no pipe(2); a FIFO opened at both ends and unlinked at once is the same thing.
 */
import { execFileSync } from 'node:child_process';
import { closeSync, constants, mkdtempSync, openSync, rmSync } from 'node:fs';
import { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';

/** A pipe's capacity on Linux: one read never returns more. */
const READ_SIZE = 64 * 1024;

export class FramePipe {
  /** The write end, for the child's stdio; closed here once the child has it (`closeWriteEnd`). */
  readonly writeFd: number;
  private readonly socket: Socket;
  private readonly readBuffer = Buffer.allocUnsafeSlow(READ_SIZE);
  /** Bytes read past the frame being assembled (or with none asked for), waiting for the next read(). */
  private readonly spill = Buffer.allocUnsafeSlow(READ_SIZE);
  private spillLength = 0;
  private frame: Buffer | null = null;
  private filled = 0;
  private settle: ((frame: Buffer | null, error?: Error) => void) | null = null;
  private ended = false;
  private failure: Error | null = null;
  private writeOpen = true;

  constructor() {
    const dir = mkdtempSync(path.join(tmpdir(), 'nullcam-pipe-'));
    const fifo = path.join(dir, 'frames');
    try {
      execFileSync('mkfifo', ['-m', '600', fifo]);
      // Read end first and non-blocking (a blocking open waits for a writer), then the write end.
      const readFd = openSync(fifo, constants.O_RDONLY | constants.O_NONBLOCK);
      this.writeFd = openSync(fifo, constants.O_WRONLY);
      // `onread` (reads into our buffer) is taken by the constructor too, though @types/node lists it for connect() only.
      const options = { fd: readFd, readable: true, writable: false, onread: { buffer: this.readBuffer, callback: (n: number) => this.onRead(n) } };
      this.socket = new Socket(options);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    this.socket.once('end', () => this.finish(null));
    this.socket.once('close', () => this.finish(null));
    this.socket.once('error', (error) => this.finish(error));
  }

  /** The child holds its own copy of the write end: ours must go, or the pipe never ends. */
  closeWriteEnd(): void {
    if (!this.writeOpen) return;
    this.writeOpen = false;
    closeSync(this.writeFd);
  }

  /** Stops reading; a read pending resolves null. */
  destroy(): void {
    this.closeWriteEnd();
    this.socket.destroy();
  }

  /**
   * Resolves with exactly `size` bytes, or null once the pipe ended cleanly between frames. One read at a time.
   * @param allocate where the frame's buffer comes from (a new one by default; the live decoder's from the frame pool)
   * @throws RangeError when the pipe ends inside a frame (the writer died mid-frame).
   */
  read(size: number, allocate: (size: number) => Buffer = Buffer.allocUnsafeSlow): Promise<Buffer | null> {
    if (this.settle) return Promise.reject(new Error('FramePipe.read called while a read is pending'));
    if (this.failure) return Promise.reject(this.failure);
    if (this.ended && this.spillLength === 0) return Promise.resolve(null);
    return new Promise((resolve, reject) => {
      this.frame = allocate(size);
      this.filled = 0;
      this.settle = (frame, error) => (error ? reject(error) : resolve(frame));
      const held = this.spillLength;
      const used = this.fill(this.spill, held);
      this.spill.copyWithin(0, used, held);
      this.spillLength = held - used;
      if (this.frame && this.ended) this.finish(this.failure);
      else if (this.frame) this.socket.resume();
    });
  }

  private onRead(n: number): boolean {
    const used = this.fill(this.readBuffer, n);
    // Reading stops after every frame (a frame is only read while one is asked for), so the spill is empty here.
    this.spillLength = this.readBuffer.copy(this.spill, 0, used, n);
    // Nothing asked for: stop the pipe (the child blocks) until the next read().
    return this.frame !== null;
  }

  /** Copies up to `n` bytes of `from` into the frame being assembled, settling the read once it is whole. @returns bytes taken */
  private fill(from: Buffer, n: number): number {
    if (!this.frame) return 0;
    const used = from.copy(this.frame, this.filled, 0, Math.min(n, this.frame.length - this.filled));
    this.filled += used;
    if (this.filled === this.frame.length) {
      const frame = this.frame;
      const settle = this.settle!;
      this.frame = null;
      this.settle = null;
      settle(frame);
    }
    return used;
  }

  private finish(error: Error | null): void {
    this.ended = true;
    this.failure ??= error;
    if (!this.settle) return;
    const settle = this.settle;
    const partial = this.filled;
    const size = this.frame?.length ?? 0;
    this.settle = null;
    this.frame = null;
    if (this.failure) settle(null, this.failure);
    else if (partial > 0) settle(null, new RangeError(`stream ended inside a frame: got ${partial} of ${size} bytes`));
    else settle(null);
  }
}
