/**
 * Model input tensors reused across calls of one model. A live detection samples 3 or more tiles (by the
 * tile plan at 720p) into 786 KB float tensors (256² RGB). Allocated anew, they and the frames started
 * ~5 full garbage collections a second in the proxy at 720p25; reusing them took the rate from 3.2 to
 * about 1 once frames were reused (README, live bench runs 49–54). A call
 * takes one for as long as its model run lasts: runners copy their inputs or are done with them when the
 * run settles (ModelRunner). The free list holds at most as many as ever ran at once.
 */
export class InputBuffers {
  private readonly free: Float32Array[] = [];

  /** @param length floats per input */
  constructor(private readonly length: number) {}

  async use<T>(fn: (input: Float32Array) => Promise<T>): Promise<T> {
    const input = this.free.pop() ?? new Float32Array(this.length);
    try {
      return await fn(input);
    } finally {
      this.free.push(input);
    }
  }
}
