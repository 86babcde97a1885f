/** Reconnect delays: exponential, capped. Pure. */

export interface BackoffOptions {
  /** Delay before the first retry, ms. */
  readonly initialMs: number;
  /** Upper bound of any delay, ms. */
  readonly maxMs: number;
  /** Growth per failed attempt, default 2. */
  readonly factor?: number;
}

/**
 * @param attempt 1 for the first retry after a failure, 2 for the next, ...
 * @returns ms to wait: initialMs × factor^(attempt−1), at most maxMs
 * @example
 * [1, 2, 3, 4, 10].map((a) => backoffDelay(a, { initialMs: 500, maxMs: 3000 })) // [500, 1000, 2000, 3000, 3000]
 */
export function backoffDelay(attempt: number, options: BackoffOptions): number {
  const factor = options.factor ?? 2;
  return Math.min(options.maxMs, options.initialMs * factor ** Math.max(0, attempt - 1));
}
