/** Publishing to RTSP servers that take a stream (ANNOUNCE/RECORD): ffmpeg in listen mode, GStreamer, nullcam's own. */
import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { H264AccessUnit } from '../../src/egress/h264-access-unit.js';
import type { LiveSink } from '../../src/egress/live-sink.js';
import { publishRtsp } from '../../src/egress/rtsp-publisher.js';
import { RtspServer } from '../../src/egress/rtsp-server.js';
import { NullcamError } from '../../src/errors.js';
import { tempDir, waitFor } from '../fixtures/media.js';
import { ffmpegClient, freePort, hasCommand, hasGstRtspServer, makeH264Clip, playLoop, readAccessUnits } from './rtsp-fixtures.js';

const GST_RECORD = fileURLToPath(new URL('./gst-rtsp-record.py', import.meta.url));
const gstreamer = hasCommand('gst-launch-1.0') && hasGstRtspServer();

/** Writes every access unit at 25 fps, then closes the sink. */
async function publishAll(sink: LiveSink, aus: readonly H264AccessUnit[]): Promise<void> {
  for (const [i, au] of aus.entries()) {
    sink.write({ ...au, pts90k: i * 3600 });
    await new Promise((r) => setTimeout(r, 40));
  }
  await sink.close();
}

/** Starts a receiving server; `lines` collects its stdout lines. */
function receiver(command: string, args: string[], ready: (lines: string[]) => boolean): Promise<{ lines: string[]; exited: Promise<void>; kill: () => void }> {
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'ignore'] });
  const lines: string[] = [];
  child.stdout.on('data', (d: Buffer) => lines.push(...d.toString().split('\n').filter(Boolean)));
  const exited = new Promise<void>((resolve) => child.on('close', () => resolve()));
  return waitFor(() => ready(lines), 5000).then(() => ({ lines, exited, kill: () => child.kill('SIGKILL') }));
}

function isFree(server: RtspServer, path: string): boolean {
  try {
    void server.mount(path).close();
    return true;
  } catch {
    return false;
  }
}

describe('publishRtsp', () => {
  const tmp = tempDir();
  let aus: H264AccessUnit[];

  beforeAll(() => {
    aus = readAccessUnits(makeH264Clip(tmp.dir, 1));
  });
  afterAll(() => tmp.remove());

  it.each(['tcp', 'udp'] as const)('publishes every frame to ffmpeg -rtsp_flags listen over %s', async (transport) => {
    const url = `rtsp://127.0.0.1:${await freePort()}/live`;
    const ffmpeg = await receiver('ffmpeg', ['-hide_banner', '-v', 'error', '-rtsp_transport', transport, '-rtsp_flags', 'listen', '-i', url, '-f', 'framecrc', '-'], () => true);
    // ffmpeg prints nothing when it listens: retry the connection until it does.
    let sink: LiveSink | undefined;
    for (let i = 0; i < 50 && !sink; i++) sink = await publishRtsp(url, { transport }).catch(() => new Promise<undefined>((r) => setTimeout(r, 100)));
    await publishAll(sink!, aus);
    await ffmpeg.exited;
    expect(ffmpeg.lines.filter((l) => l.startsWith('0,'))).toHaveLength(25);
  });

  it.skipIf(!gstreamer)('publishes to a GStreamer RTSP server in record mode over TCP and UDP (needs GStreamer, which scripts/setup.sh installs)', async () => {
    for (const transport of ['tcp', 'udp'] as const) {
      const port = await freePort();
      const gst = await receiver('/usr/bin/python3', [GST_RECORD, String(port), '/live'], (l) => l.includes('ready'));
      try {
        await publishAll(await publishRtsp(`rtsp://127.0.0.1:${port}/live`, { transport }), aus);
        await waitFor(() => gst.lines.filter((l) => l === 'frame').length === 25, 5000);
        expect(gst.lines.filter((l) => l === 'frame'), transport).toHaveLength(25);
      } finally {
        gst.kill();
      }
    }
  });

  it.skipIf(!gstreamer)('publishes video and G.711 audio as two tracks to a GStreamer RTSP server over TCP and UDP', async () => {
    const pcma = { codec: 'pcma' as const, sampleRate: 8000, channels: 1 };
    for (const transport of ['tcp', 'udp'] as const) {
      const port = await freePort();
      const gst = await receiver('/usr/bin/python3', [GST_RECORD, String(port), '/live', 'pcma'], (l) => l.includes('ready'));
      try {
        const sink = await publishRtsp(`rtsp://127.0.0.1:${port}/live`, { transport });
        // 20 ms of audio per frame half: known before the first keyframe, so the announcement carries it.
        for (const [i, au] of aus.entries()) {
          for (const half of [0, 1]) sink.writeAudio({ format: pcma, data: Buffer.alloc(160, 0xd5), pts90k: i * 3600 + half * 1800, samples: 160 });
          sink.write({ ...au, pts90k: i * 3600 });
          await new Promise((r) => setTimeout(r, 40));
        }
        await waitFor(() => gst.lines.filter((l) => l === 'frame').length === 25, 5000);
        // Both tracks arrive and decode. Exact counts are the video-only test's: here, over UDP under the
        // full suite's load, a lost datagram cost one frame once (24 of 25).
        expect(gst.lines.filter((l) => l === 'frame').length, transport).toBeGreaterThanOrEqual(23);
        expect(gst.lines.filter((l) => l === 'audio').length, transport).toBeGreaterThanOrEqual(40);
        await sink.close();
      } finally {
        gst.kill();
      }
    }
  });

  it.each(['tcp', 'udp'] as const)('publishes over %s to nullcam\'s own server, whose viewers decode it', async (transport) => {
    const server = await RtspServer.listen({ port: 0, allowPublish: true, auth: { username: 'u', password: 'p' } });
    try {
      const sink = await publishRtsp(`rtsp://u:p@127.0.0.1:${server.port}/pushed`, { transport });
      const stop = playLoop(sink, aus);
      const viewer = await ffmpegClient(`rtsp://u:p@127.0.0.1:${server.port}/pushed`, 'tcp', 30);
      stop();
      expect(viewer).toEqual({ frames: 30, code: 0, errors: '' });
      await sink.close();
      // The path is served only while its publisher stays.
      expect(await waitFor(() => isFree(server, '/pushed'), 1000)).toBe(true);
    } finally {
      await server.close();
    }
  });

  it('waits to announce until the expected audio format is known, so the announcement carries it', async () => {
    const server = await RtspServer.listen({ port: 0, allowPublish: true });
    try {
      const sink = await publishRtsp(`rtsp://127.0.0.1:${server.port}/wait`);
      sink.expectAudio();
      sink.write({ ...aus[0], pts90k: 0 }); // a keyframe, but no audio format yet: not announced
      await new Promise((r) => setTimeout(r, 300));
      expect(isFree(server, '/wait')).toBe(true);
      sink.writeAudio({ format: { codec: 'pcma', sampleRate: 8000, channels: 1 }, data: Buffer.alloc(160), pts90k: 0, samples: 160 });
      sink.write({ ...aus[0], pts90k: 3600 });
      expect(await waitFor(() => !isFree(server, '/wait'), 2000)).toBe(true);
      await sink.close();
    } finally {
      await server.close();
    }
  });

  it('takes a stream that ffmpeg publishes (-f rtsp) into nullcam\'s own server', async () => {
    const server = await RtspServer.listen({ port: 0, allowPublish: true });
    try {
      const url = `rtsp://127.0.0.1:${server.port}/from-ffmpeg`;
      mkdirSync(path.join(tmp.dir, 'long'));
      const long = makeH264Clip(path.join(tmp.dir, 'long'), 4);
      const publisher = receiver('ffmpeg', ['-hide_banner', '-v', 'error', '-re', '-i', long, '-c', 'copy', '-rtsp_transport', 'tcp', '-f', 'rtsp', url], () => true);
      await waitFor(() => !isFree(server, '/from-ffmpeg'), 5000);
      expect(await ffmpegClient(url, 'udp', 20)).toEqual({ frames: 20, code: 0, errors: '' });
      (await publisher).kill();
    } finally {
      await server.close();
    }
  });

  it('fails with one line for an unreachable server, wrong credentials, or a server that only plays', async () => {
    const closed = await RtspServer.listen({ port: 0 });
    const closedPort = closed.port;
    await closed.close();
    await expect(publishRtsp(`rtsp://127.0.0.1:${closedPort}/x`)).rejects.toThrow(`Cannot reach RTSP server 127.0.0.1:${closedPort} (ECONNREFUSED); check the address and that the server is running.`);
    await expect(publishRtsp('http://127.0.0.1/x')).rejects.toThrow(NullcamError);

    const server = await RtspServer.listen({ port: 0, auth: { username: 'u', password: 'right' } });
    try {
      for (const [userinfo, message] of [
        ['u:wrong@', `RTSP server rtsp://127.0.0.1:${server.port}/x refused the credentials (401); check the user name and password in the URL.`],
        ['u:right@', `RTSP server rtsp://127.0.0.1:${server.port}/x refused to take the stream: ANNOUNCE answered 405 Method Not Allowed.`],
      ]) {
        const errors: string[] = [];
        const sink = await publishRtsp(`rtsp://${userinfo}127.0.0.1:${server.port}/x`, { onError: (e) => errors.push(e.message) });
        sink.write(aus[0]);
        expect(await waitFor(() => errors.length > 0, 3000)).toBe(true);
        expect(errors).toEqual([message]);
        expect(() => sink.write(aus[1])).toThrow(message);
        await sink.close();
      }
    } finally {
      await server.close();
    }
  });
});
