/**
 * One ffmpeg child process as an object (execa's shape): argv in, stderr as lines, an `exited` promise that
 * never rejects, and `stop()` that escalates SIGTERM → SIGKILL. Teardown is the reason this file exists:
 * an unsubscribed pipeline must leave no ffmpeg behind, even one that ignores SIGTERM.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';
import type { FfmpegFailure } from './ffmpeg-error.js';
import { FramePipe } from './frame-pipe.js';

/** execa's default grace period before SIGKILL. */
export const DEFAULT_KILL_TIMEOUT_MS = 5000;

/** Stderr lines kept for error messages; ffmpeg prints its cause in the last few. */
const STDERR_TAIL_LINES = 40;

export interface FfmpegExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  /** Set when the process could not be started (ENOENT, EACCES). */
  readonly spawnError?: Error;
}

export interface SpawnOptions {
  /** 'pipe' when the caller feeds stdin (the encoder); 'ignore' otherwise. */
  readonly stdin: 'pipe' | 'ignore';
  /** Called for every complete stderr line, without the newline. */
  readonly onStderrLine?: (line: string) => void;
  /** Grace period between SIGTERM and SIGKILL in `stop()`, default 5000 ms. */
  readonly killTimeoutMs?: number;
  /** Open fd 3 as a second output pipe (`pipe:3`: the live decoder's audio). */
  readonly sidePipe?: boolean;
  /** stdout carries raw frames: it is a FramePipe (no allocation per pipe read) instead of a stream. */
  readonly frames?: true;
}

/** `Out` is what stdout is read through: a stream, or a FramePipe for raw frames. */
export interface FfmpegProcess<Out extends Readable | FramePipe = Readable> {
  readonly pid: number | undefined;
  /** Binary first, then the arguments, exactly as spawned. */
  readonly argv: readonly string[];
  readonly stdin: Writable | null;
  readonly stdout: Out;
  /** fd 3, when `sidePipe` was asked for. */
  readonly side: Readable | null;
  /** Resolves once the process has exited and its stderr is fully read. Never rejects. */
  readonly exited: Promise<FfmpegExit>;
  /** Everything an FfmpegError needs; call after `exited` resolved. */
  failure(exit: FfmpegExit): FfmpegFailure;
  /** Closes our pipe ends, sends SIGTERM, and SIGKILL if still running after the kill timeout. Resolves when the process is gone. */
  stop(): Promise<FfmpegExit>;
}

/** The environment ffmpeg runs in: nullcam's, less the secrets it may hold (a key's passphrase). */
export function childEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const { NULLCAM_PASSPHRASE: _secret, ...rest } = env;
  return rest;
}

/**
 * Starts ffmpeg. The child gets its own process group (`detached`) so a Ctrl-C in the terminal reaches
 * nullcam alone: ffmpeg would otherwise treat SIGINT as "finish the file", and a half-written output would
 * look complete. nullcam stops its children itself, and kills any left when Node exits.
 * @param binary absolute path of ffmpeg
 * @param args arguments without the binary
 */
export function spawnFfmpeg(binary: string, args: readonly string[], options: SpawnOptions & { readonly frames: true }): FfmpegProcess<FramePipe>;
export function spawnFfmpeg(binary: string, args: readonly string[], options: SpawnOptions): FfmpegProcess;
export function spawnFfmpeg(binary: string, args: readonly string[], options: SpawnOptions): FfmpegProcess<Readable | FramePipe> {
  const started = Date.now();
  const argv = [binary, ...args];
  const killTimeoutMs = options.killTimeoutMs ?? DEFAULT_KILL_TIMEOUT_MS;
  const frames = options.frames ? new FramePipe() : null;
  const child = spawn(binary, args, { stdio: [options.stdin, frames ? frames.writeFd : 'pipe', 'pipe', ...(options.sidePipe ? ['pipe' as const] : [])], detached: true, env: childEnv(process.env) });
  frames?.closeWriteEnd();
  const tail: string[] = [];
  let partial = '';
  let stopping: Promise<FfmpegExit> | undefined;

  const pushLine = (line: string) => {
    tail.push(line);
    if (tail.length > STDERR_TAIL_LINES) tail.shift();
    options.onStderrLine?.(line);
  };
  child.stderr!.setEncoding('utf8');
  child.stderr!.on('data', (chunk: string) => {
    const lines = (partial + chunk).split(/\r?\n|\r/);
    partial = lines.pop() ?? '';
    for (const line of lines) pushLine(line);
  });
  const stderrDone = new Promise<void>((resolve) => {
    child.stderr!.once('close', resolve);
    child.stderr!.once('error', () => resolve());
  });

  const exited = new Promise<FfmpegExit>((resolve) => {
    child.once('error', (spawnError) => {
      // 'error' without a pid means the spawn itself failed; with a pid it is a kill() failure, ignored.
      if (child.pid === undefined) resolve({ code: null, signal: null, spawnError });
    });
    child.once('exit', (code, signal) => {
      live.delete(child);
      // The exit can precede the last stderr bytes; wait for them so the tail holds the cause.
      void stderrDone.then(() => {
        if (partial) pushLine(partial);
        partial = '';
        resolve({ code, signal });
      });
    });
  });
  if (child.pid !== undefined) live.add(child);
  // EPIPE on stdin when ffmpeg dies early is reported through `exited`, not as an uncaught error.
  child.stdin?.on('error', () => {});

  return {
    pid: child.pid,
    argv,
    stdin: child.stdin,
    stdout: frames ?? child.stdout!,
    side: options.sidePipe ? (child.stdio[3] as Readable) : null,
    exited,
    failure: (exit) => ({
      argv,
      code: exit.code,
      signal: exit.signal,
      stderrTail: tail.slice(),
      durationMs: Date.now() - started,
      ...(exit.spawnError ? { spawnError: exit.spawnError } : {}),
    }),
    stop() {
      frames?.destroy();
      stopping ??= terminate(child, exited, killTimeoutMs);
      return stopping;
    },
  };
}

async function terminate(child: ChildProcess, exited: Promise<FfmpegExit>, killTimeoutMs: number): Promise<FfmpegExit> {
  // Close our pipe ends first: an ffmpeg blocked writing a full stdout pipe (backpressure) never sees its
  // SIGTERM flag until the write returns; EPIPE makes it return now.
  child.stdout?.destroy();
  child.stdio[3]?.destroy();
  child.stdin?.destroy();
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return exited;
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), killTimeoutMs);
  try {
    return await exited;
  } finally {
    clearTimeout(timer);
  }
}

/** Children still running, killed if Node exits first (detached children would otherwise outlive us). */
const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});
