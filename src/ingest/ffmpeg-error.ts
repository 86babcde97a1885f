/**
 * An ffmpeg run that failed, carrying everything needed to reproduce it (execa's error shape): the argv,
 * how it ended, the stderr tail and how long it ran. The message stays one line; the details are properties.
 */
import { NullcamError } from '../errors.js';
import { redactUrl } from './redact-url.js';

export interface FfmpegFailure {
  /** Full argv, credentials redacted, binary first. */
  readonly argv: readonly string[];
  /** Process exit code, null when it died by signal or never started. */
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  /** Last stderr lines (redacted), oldest first. */
  readonly stderrTail: readonly string[];
  readonly durationMs: number;
  /** Why the process could not be started at all (ENOENT, EACCES), if so. */
  readonly spawnError?: Error;
}

export class FfmpegError extends NullcamError implements FfmpegFailure {
  readonly argv: readonly string[];
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stderrTail: readonly string[];
  readonly durationMs: number;

  /**
   * @param what what nullcam was doing, e.g. "Decoding interview.mp4"
   * @param hint the next step for the user, e.g. "check the file plays in another player"
   */
  constructor(what: string, hint: string, failure: FfmpegFailure, options?: { cause?: unknown }) {
    super(
      failure.spawnError
        ? `${what} failed: cannot run ${failure.argv[0]} (${failure.spawnError.message}); reinstall ffmpeg or point NULLCAM_FFMPEG at a working one.`
        : `${what} failed (ffmpeg ${failure.signal ? `killed by ${failure.signal}` : `exit ${failure.code}`}${suffix(lastReason(failure.stderrTail))}); ${hint}.`,
      1,
      options ?? (failure.spawnError ? { cause: failure.spawnError } : undefined),
    );
    this.argv = failure.argv.map(redactUrl);
    this.code = failure.code;
    this.signal = failure.signal;
    this.stderrTail = failure.stderrTail.map(redactUrl);
    this.durationMs = failure.durationMs;
  }
}

function suffix(reason: string): string {
  return reason ? `: ${reason}` : '';
}

/** ffmpeg's level tag on error lines (with `-loglevel level+…`). */
const ERROR_LEVEL = /\[(?:error|fatal|panic)\] /;

/**
 * The last stderr line that reads like a cause, as "component: message". ffmpeg ends a failure with
 * generic lines ("Conversion failed!", "Error initializing output stream …") after the specific one. With
 * level tags (`-loglevel level+…`) error lines are searched first: an info line after the cause (the size summary) is not one.
 */
export function lastReason(stderrTail: readonly string[]): string {
  const errors = stderrTail.filter((l) => ERROR_LEVEL.test(l));
  return lastCause(errors, VAGUE) || lastCause(errors) || lastCause(stderrTail);
}

const GENERIC = /^(Conversion failed!|Exiting normally|Error while filtering|Error while processing the decoded data|Finishing stream|Error initializing output stream|Error while opening encoder)/;
/** "INPUT: Invalid argument": ffmpeg's closing line when an option did not fit, after the line that says which. */
const VAGUE = /^\S+: Invalid argument$/;

function lastCause(lines: readonly string[], skip?: RegExp): string {
  for (let i = lines.length - 1; i >= 0; i--) {
    const line = stripLogPrefix(lines[i]).trim();
    if (!line || GENERIC.test(line) || skip?.test(line)) continue;
    const component = /^\[([\w-]+)(?:,[\w-]+)* @ 0x[0-9a-f]+\]/.exec(lines[i])?.[1];
    return redactUrl(component ? `${component}: ${line}` : line);
  }
  return '';
}

/**
 * True when ffmpeg stopped reading `input` on a read error: it logs "[error] INPUT: reason" and then
 * finishes as if the input had ended, with exit 0 (seen with an unplugged webcam: "No such device").
 */
export function inputReadFailed(stderrTail: readonly string[], input: string): boolean {
  return stderrTail.some((line) => ERROR_LEVEL.test(line) && stripLogPrefix(line).startsWith(`${input}: `));
}

/** Drops ffmpeg's `[component @ 0x…] [level] ` prefixes from a log line. */
export function stripLogPrefix(line: string): string {
  return line.replace(/^(\[[^\]]*\]\s*)+/, '');
}
