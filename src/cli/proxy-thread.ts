/**
 * `nullcam proxy` runs on a worker thread whose young generation is capped (YOUNG_GENERATION_MB). V8
 * grows a thread's young generation (the semi-spaces that scavenges copy live objects between) as
 * survivors add up: under the proxy's steady allocations it reached its largest, 32 MB (+11–15 MB
 * resident), within the first minutes, which alone broke the 10-minute bench's flat-within-10 % line
 * (README, live bench runs 49–58). Node reads --max-semi-space-size only at start; a launcher passing it
 * would need `env -S` in the shebang (BusyBox has none) or a second process, while a Worker's
 * resourceLimits set it in-process. A --max-semi-space-size the user gives (node's command line or
 * NODE_OPTIONS) wins.
 *
 * The main thread keeps what a worker cannot have, the signals: SIGINT or SIGTERM asks the proxy to stop
 * (a second one ends the process, as before). The thread's stdout and stderr reach the process's.
 */
import { Worker, type ResourceLimits } from 'node:worker_threads';
import { NullcamError } from '../errors.js';
import type { ProxyRequest } from './proxy-args.js';

/**
 * The proxy thread's young generation: 8 MB semi-spaces (V8 sizes it as three semi-spaces, with the large
 * object space). The same cap as --max-semi-space-size=8 in live bench runs 50, 54 and 58: the young generation
 * flat at 16.8 MB resident, for 1–2 points of a core more in scavenges.
 */
export const YOUNG_GENERATION_MB = 24;

export interface ProxyThreadInit {
  readonly request: ProxyRequest;
}

/** A thrown error as it crosses threads (structured cloning drops NullcamError's class and exit code). */
export interface WireError {
  readonly message: string;
  /** Set for a NullcamError. */
  readonly exitCode?: number;
  readonly stack?: string;
  readonly causeStack?: string;
}

export type ProxyThreadReply = { readonly exitCode: number } | { readonly error: WireError };

/**
 * @returns the proxy's exit code once it stopped
 * @throws what the proxy threw (a NullcamError keeps its message and exit code), or the thread's crash
 */
export async function runProxyOnThread(request: ProxyRequest, env: NodeJS.ProcessEnv = process.env, execArgv: readonly string[] = process.execArgv): Promise<number> {
  const worker = new Worker(new URL('./proxy-worker.js', import.meta.url), { workerData: { request } satisfies ProxyThreadInit, env, resourceLimits: proxyThreadLimits(env, execArgv) });
  const stop = (): void => worker.postMessage('stop');
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  let reply: ProxyThreadReply | undefined;
  let crash: Error | undefined;
  worker.on('message', (m: ProxyThreadReply) => (reply = m));
  worker.on('error', (e) => (crash = e));
  // After 'exit' the thread's last stderr lines are out, so an error printed now comes after them.
  const code = await new Promise<number>((resolve) => worker.once('exit', resolve));
  process.off('SIGINT', stop);
  process.off('SIGTERM', stop);
  if (reply && 'exitCode' in reply) return reply.exitCode;
  if (reply) throw revive(reply.error);
  throw crash ?? new Error(`the proxy thread stopped with exit code ${code}`);
}

/** The young generation capped, unless the user chose a semi-space size for node. */
export function proxyThreadLimits(env: NodeJS.ProcessEnv, execArgv: readonly string[]): ResourceLimits {
  const chosen = [...execArgv, ...(env.NODE_OPTIONS ?? '').split(/\s+/)].some((a) => a.startsWith('--max-semi-space-size'));
  return chosen ? {} : { maxYoungGenerationSizeMb: YOUNG_GENERATION_MB };
}

export function toWire(error: unknown): WireError {
  if (!(error instanceof Error)) return { message: String(error) };
  const causeStack = error.cause instanceof Error ? error.cause.stack : undefined;
  return { message: error.message, stack: error.stack, ...(error instanceof NullcamError ? { exitCode: error.exitCode } : {}), ...(causeStack ? { causeStack } : {}) };
}

function revive(wire: WireError): Error {
  const cause = wire.causeStack ? Object.assign(new Error(wire.causeStack.split('\n')[0]), { stack: wire.causeStack }) : undefined;
  const error = wire.exitCode === undefined ? new Error(wire.message, { cause }) : new NullcamError(wire.message, wire.exitCode, { cause });
  if (wire.stack) error.stack = wire.stack;
  return error;
}
