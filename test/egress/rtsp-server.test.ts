/** The RTSP server against ffmpeg as the client, over TCP and UDP, on loopback. */
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NullcamError } from '../../src/errors.js';
import type { H264AccessUnit } from '../../src/egress/h264-access-unit.js';
import type { RtspMount } from '../../src/egress/rtsp-mount.js';
import { RtspServer } from '../../src/egress/rtsp-server.js';
import { tempDir, waitFor } from '../fixtures/media.js';
import { ffmpegClient, makeH264Clip, playLoop, readAccessUnits } from './rtsp-fixtures.js';

describe('RtspServer', () => {
  const tmp = tempDir();
  let aus: H264AccessUnit[];
  let server: RtspServer;
  let second: RtspMount;
  const stops: Array<() => void> = [];
  const url = (path: string): string => `rtsp://127.0.0.1:${server.port}${path}`;

  beforeAll(async () => {
    aus = readAccessUnits(makeH264Clip(tmp.dir));
    server = await RtspServer.listen({ port: 0 });
    second = server.mount('/second/cam');
    stops.push(playLoop(server.mount('/cam'), aus), playLoop(second, aus));
  });
  afterAll(async () => {
    for (const stop of stops) stop();
    await server?.close();
    tmp.remove();
  });

  it('serves a TCP and a UDP client at once, each decoding every frame cleanly from its first', async () => {
    // Both join mid-stream: each must start at an IDR (ffmpeg at -v error prints any undecodable slice).
    const [tcp, udp] = await Promise.all([ffmpegClient(url('/cam'), 'tcp'), ffmpegClient(url('/cam'), 'udp')]);
    expect(tcp).toEqual({ frames: 25, code: 0, errors: '' });
    expect(udp).toEqual({ frames: 25, code: 0, errors: '' });
  });

  it('serves several mounts; a client joining late decodes, and leaving frees its session', async () => {
    const first = ffmpegClient(url('/second/cam'), 'tcp', 40);
    expect(await waitFor(() => second.clients === 1, 10_000)).toBe(true);
    await new Promise((r) => setTimeout(r, 500));
    const late = await ffmpegClient(url('/second/cam/'), 'tcp', 10);
    expect(late).toEqual({ frames: 10, code: 0, errors: '' });
    expect(await first).toEqual({ frames: 40, code: 0, errors: '' });
    // ffmpeg sends TEARDOWN when it is done.
    expect(await waitFor(() => second.clients === 0, 2000)).toBe(true);
  });

  it('answers 404 for a path that is not mounted', async () => {
    const result = await ffmpegClient(url('/nothing'), 'tcp', 1);
    expect(result.code).not.toBe(0);
    expect(result.errors).toMatch(/404/);
  });

  it('refuses a port in use with one line', async () => {
    const error = await RtspServer.listen({ port: server.port }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NullcamError);
    expect((error as Error).message).toBe(`RTSP port ${server.port} on 127.0.0.1 is already in use; stop the other server or choose another port.`);
  });

  it('closes cleanly: clients are disconnected and the port is freed', async () => {
    const own = await RtspServer.listen({ port: 0 });
    const port = own.port;
    const cam = own.mount('/cam');
    const stop = playLoop(cam, aus);
    const client = ffmpegClient(`rtsp://127.0.0.1:${port}/cam`, 'tcp', 1000);
    await waitFor(() => cam.clients === 1, 10_000);
    await new Promise((r) => setTimeout(r, 1000)); // past the next keyframe (every 0.4 s)
    stop();
    await own.close();
    const result = await client;
    expect(result.frames).toBeGreaterThan(0);
    expect(result.frames).toBeLessThan(1000);
    const refused = await new Promise<boolean>((resolve) => net.connect(port, '127.0.0.1').on('error', () => resolve(true)).on('connect', () => resolve(false)));
    expect(refused).toBe(true);
  });
});
