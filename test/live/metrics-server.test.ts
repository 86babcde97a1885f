import { createServer } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { NullcamError } from '../../src/errors.js';
import { parseEndpoint, serveMetrics, type MetricsServer } from '../../src/live/metrics-server.js';

let server: MetricsServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('metrics server', () => {
  it('parses HOST:PORT', () => {
    expect(parseEndpoint('127.0.0.1:9464')).toEqual({ host: '127.0.0.1', port: 9464 });
    expect(parseEndpoint('[::1]:80')).toEqual({ host: '::1', port: 80 });
    expect(parseEndpoint(':9464')).toEqual({ host: '127.0.0.1', port: 9464 });
    expect(() => parseEndpoint('9464')).toThrow('Expected HOST:PORT for --metrics but received "9464"; e.g. 127.0.0.1:9464.');
  });

  it('serves /metrics and /healthz (200 when healthy, 503 with the problems otherwise)', async () => {
    let ok = true;
    server = await serveMetrics({ host: '127.0.0.1', port: 0 }, () => 'nullcam_up 1\n', () => ({ ok, problems: ok ? [] : ['cam1: down: Connection refused'] }));
    const base = `http://127.0.0.1:${server.port}`;
    const metrics = await fetch(`${base}/metrics`);
    expect(metrics.status).toBe(200);
    expect(metrics.headers.get('content-type')).toContain('text/plain; version=0.0.4');
    expect(await metrics.text()).toBe('nullcam_up 1\n');
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    ok = false;
    const down = await fetch(`${base}/healthz`);
    expect(down.status).toBe(503);
    expect(await down.text()).toBe('cam1: down: Connection refused\n');
    expect((await fetch(`${base}/nope`)).status).toBe(404);
  });

  it('says in one line that the port is in use', async () => {
    const blocker = createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
    const port = (blocker.address() as { port: number }).port;
    const error = await serveMetrics({ host: '127.0.0.1', port }, () => '', () => ({ ok: true, problems: [] })).catch((e: unknown) => e);
    blocker.close();
    expect(error).toBeInstanceOf(NullcamError);
    expect((error as Error).message).toBe(`Cannot serve metrics on 127.0.0.1:${port}: the port is in use; pick another with --metrics HOST:PORT.`);
  });
});
