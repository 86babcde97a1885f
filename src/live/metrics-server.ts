/**
 * `GET /metrics` (Prometheus text format) and `GET /healthz` on one small node:http server. Health is
 * whatever the caller reports: 200 with "ok" when healthy, 503 with the reasons otherwise.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { NullcamError } from '../errors.js';

export interface Health {
  readonly ok: boolean;
  /** One line per problem, e.g. "cam1: down: Connection refused". */
  readonly problems: readonly string[];
}

export interface MetricsEndpoint {
  readonly host: string;
  readonly port: number;
}

/** Parses "HOST:PORT" ("127.0.0.1:9464", "[::1]:9464", ":9464" = 127.0.0.1). */
export function parseEndpoint(text: string, what = '--metrics'): MetricsEndpoint {
  const m = /^(?:\[([^\]]+)\]|([^:]*)):(\d{1,5})$/.exec(text);
  const port = m ? Number(m[3]) : NaN;
  if (!m || port < 0 || port > 65535) throw new NullcamError(`Expected HOST:PORT for ${what} but received "${text}"; e.g. 127.0.0.1:9464.`, 2);
  return { host: m[1] ?? (m[2] || '127.0.0.1'), port };
}

export interface MetricsServer {
  readonly port: number;
  close(): Promise<void>;
}

/**
 * @throws NullcamError when the port cannot be bound (in use, no permission)
 */
export async function serveMetrics(endpoint: MetricsEndpoint, render: () => string, health: () => Health): Promise<MetricsServer> {
  const server: Server = createServer((req, res) => {
    const url = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    if (url === '/metrics') {
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' }).end(render());
    } else if (url === '/healthz') {
      const h = health();
      res.writeHead(h.ok ? 200 : 503, { 'content-type': 'text/plain; charset=utf-8' }).end(h.ok ? 'ok\n' : `${h.problems.join('\n')}\n`);
    } else {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('not found: try /metrics or /healthz\n');
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(new NullcamError(`Cannot serve metrics on ${endpoint.host}:${endpoint.port}: ${error.code === 'EADDRINUSE' ? 'the port is in use' : error.code ?? error.message}; pick another with --metrics HOST:PORT.`, 1, { cause: error })),
    );
    server.listen(endpoint.port, endpoint.host, resolve);
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
