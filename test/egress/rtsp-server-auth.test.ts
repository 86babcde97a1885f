/** The RTSP server behind Digest and Basic authentication, with ffmpeg as the client. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { H264AccessUnit } from '../../src/egress/h264-access-unit.js';
import { RtspServer } from '../../src/egress/rtsp-server.js';
import { tempDir } from '../fixtures/media.js';
import { ffmpegClient, makeH264Clip, playLoop, readAccessUnits } from './rtsp-fixtures.js';

describe.each(['digest', 'basic'] as const)('RtspServer with %s authentication', (scheme) => {
  const tmp = tempDir();
  let aus: H264AccessUnit[];
  let server: RtspServer;
  let stop = (): void => {};

  beforeAll(async () => {
    aus = readAccessUnits(makeH264Clip(tmp.dir, 0.8));
    server = await RtspServer.listen({ port: 0, auth: { username: 'viewer', password: 'p@ss word', scheme } });
    stop = playLoop(server.mount('/cam'), aus);
  });
  afterAll(async () => {
    stop();
    await server?.close();
    tmp.remove();
  });

  it('plays with the right credentials', async () => {
    expect(await ffmpegClient(`rtsp://viewer:p%40ss%20word@127.0.0.1:${server.port}/cam`, 'tcp', 5)).toEqual({ frames: 5, code: 0, errors: '' });
  });

  it('rejects wrong or missing credentials with 401', async () => {
    for (const userinfo of ['viewer:wrong@', '']) {
      const result = await ffmpegClient(`rtsp://${userinfo}127.0.0.1:${server.port}/cam`, 'tcp', 5);
      expect(result.frames).toBe(0);
      expect(result.errors).toMatch(/401 Unauthorized/);
    }
  });
});
