/**
 * One error type for everything a user can cause or fix. The CLI prints `message` alone (one line,
 * saying what to do next) and exits with `exitCode`; `cause` keeps the underlying error for --debug.
 */
export class NullcamError extends Error {
  override readonly name = 'NullcamError';
  constructor(
    message: string,
    readonly exitCode = 1,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** "Expected <what> for <name> but received <value> of type <type>" (sharp's wording). */
export function invalidParameterError(name: string, expected: string, value: unknown): NullcamError {
  const shown = typeof value === 'string' ? JSON.stringify(value) : String(value);
  return new NullcamError(`Expected ${expected} for ${name} but received ${shown} of type ${typeof value}`, 2);
}

/** Exit code for a run stopped by SIGINT/SIGTERM, as shells report it. */
export const EXIT_INTERRUPTED = 130;
