/**
 * Thread side of `runProxyOnThread`: runs the proxy until the main thread says stop, then replies with its
 * exit code or what it threw.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { runProxy } from './proxy-command.js';
import { toWire, type ProxyThreadInit, type ProxyThreadReply } from './proxy-thread.js';

const port = parentPort!;
const { request } = workerData as ProxyThreadInit;
const stopped = new Promise<void>((resolve) => port.once('message', () => resolve()));

runProxy(request, process.env, stopped)
  .then(
    (exitCode) => port.postMessage({ exitCode } satisfies ProxyThreadReply),
    (error: unknown) => port.postMessage({ error: toWire(error) } satisfies ProxyThreadReply),
  )
  // A stop that never came must not keep the thread alive.
  .finally(() => port.unref());
