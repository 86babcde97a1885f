/** Session lifetimes on the server: UDP sessions time out unless kept alive; TCP sessions end with their connection. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RtspClientConnection, parseRtspUrl } from '../../src/egress/rtsp-client.js';
import type { RtspMount } from '../../src/egress/rtsp-mount.js';
import { RtspServer } from '../../src/egress/rtsp-server.js';
import { waitFor } from '../fixtures/media.js';

describe('RtspServer sessions', () => {
  let server: RtspServer;
  let mount: RtspMount;
  beforeAll(async () => {
    server = await RtspServer.listen({ port: 0, sessionTimeoutS: 1 });
    mount = server.mount('/cam');
  });
  afterAll(() => server?.close());

  async function play(transport: string): Promise<RtspClientConnection> {
    const client = await RtspClientConnection.connect(parseRtspUrl(`rtsp://127.0.0.1:${server.port}/cam`));
    const url = client.target.url;
    const setup = await client.request('SETUP', `${url}/trackID=0`, { Transport: transport });
    expect(setup.status).toBe(200);
    expect(setup.headers.get('session')).toMatch(/^[0-9a-f]{16};timeout=1$/);
    client.session = setup.headers.get('session')!.split(';')[0];
    const started = await client.request('PLAY', url);
    expect(started.headers.get('rtp-info')).toMatch(new RegExp(`^url=${url}/trackID=0;seq=\\d+;rtptime=\\d+$`));
    return client;
  }

  it('keeps a UDP session alive with GET_PARAMETER and drops it after the timeout', async () => {
    const client = await play('RTP/AVP;unicast;client_port=47000-47001');
    expect(mount.clients).toBe(1);
    for (let i = 0; i < 5; i++) {
      await new Promise((r) => setTimeout(r, 400));
      expect((await client.request('GET_PARAMETER', client.target.url)).status).toBe(200);
    }
    expect(mount.clients).toBe(1); // 2 s, twice the timeout
    expect(await waitFor(() => mount.clients === 0, 3000)).toBe(true);
    expect((await client.request('PLAY', client.target.url)).status).toBe(454);
    client.close();
  });

  it('ends a TCP session when its connection drops, without TEARDOWN', async () => {
    const client = await play('RTP/AVP/TCP;unicast;interleaved=0-1');
    expect(mount.clients).toBe(1);
    client.close();
    expect(await waitFor(() => mount.clients === 0, 1000)).toBe(true);
  });
});
