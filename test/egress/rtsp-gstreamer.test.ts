/** GStreamer's rtspsrc, an RTSP client independent of ffmpeg, plays the server over TCP and UDP. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RtspServer } from '../../src/egress/rtsp-server.js';
import { tempDir } from '../fixtures/media.js';
import { hasCommand, makeH264Clip, playLoop, readAccessUnits, runCommand } from './rtsp-fixtures.js';

const gstreamer = hasCommand('gst-launch-1.0');

describe.skipIf(!gstreamer)('RtspServer with GStreamer as the client (needs GStreamer, which scripts/setup.sh installs)', () => {
  const tmp = tempDir();
  let server: RtspServer;
  let stop = (): void => {};

  beforeAll(async () => {
    const aus = readAccessUnits(makeH264Clip(tmp.dir, 0.8));
    server = await RtspServer.listen({ port: 0, auth: { username: 'u', password: 'p' } });
    stop = playLoop(server.mount('/cam'), aus);
  });
  afterAll(async () => {
    stop();
    await server?.close();
    tmp.remove();
  });

  it.each(['tcp', 'udp'])('decodes 25 frames over %s (Digest authentication)', async (protocol) => {
    // identity eos-after ends the pipeline (exit 0) after 25 decoded frames; a decode error exits non-zero.
    const play = () => runCommand('gst-launch-1.0', ['-q', 'rtspsrc', `location=rtsp://127.0.0.1:${server.port}/cam`, 'user-id=u', 'user-pw=p', `protocols=${protocol}`, 'latency=0', '!', 'rtph264depay', '!', 'h264parse', '!', 'avdec_h264', '!', 'identity', 'eos-after=25', '!', 'fakesink']);
    let run = await play();
    // Known, not yet understood: under full-suite load, rtspsrc over UDP has once ended with "Could not send
    // message. (Received end-of-file)" (the control connection closed under it); one retry, only for that.
    if (run.status !== 0 && /Received end-of-file/.test(run.stderr)) run = await play();
    expect({ status: run.status, stderr: run.stderr }).toEqual({ status: 0, stderr: '' });
  });
});
