/**
 * Model input tensors reused across calls of one model. A live detection samples 3 or more tiles (by the
 * tile plan at 720p) into 786 KB float tensors (256² RGB). Allocated anew, they and the frames started
 * ~5 full garbage collections a second in the proxy at 720p25; reusing them took the rate from 3.2 to
 * about 1 once frames were reused (README, live bench runs 49–54). A call
 * takes one for as long as its model run lasts: runners copy their inputs or are done with them when the
 * run settles (ModelRunner). The free list holds at most as many as ever ran at once.
 *
 * `shared` ones live in shared memory, so posting one to a model's worker thread shares it instead of
 * cloning it there: the clones (one per call, 786 KB per tile) stayed in the detector worker's malloc
 * arena until that thread's next collection, ~55 MB resident that grew and shrank; shared, it holds
 * ~18 MB (README, live bench runs 55–60).
 */
export class InputBuffers {
  private readonly free: Float32Array[] = [];

  /**
   * @param length floats per input
   * @param shared on a SharedArrayBuffer (for runners on a worker thread; OnnxModel copies them out,
   *   since onnxruntime-node rejects shared memory); default false
   */
  constructor(
    private readonly length: number,
    private readonly shared = false,
  ) {}

  take(): Float32Array {
    return this.free.pop() ?? (this.shared ? new Float32Array(new SharedArrayBuffer(this.length * 4)) : new Float32Array(this.length));
  }

  give(input: Float32Array): void {
    this.free.push(input);
  }

  async use<T>(fn: (input: Float32Array) => Promise<T>): Promise<T> {
    const input = this.take();
    try {
      return await fn(input);
    } finally {
      this.give(input);
    }
  }
}
