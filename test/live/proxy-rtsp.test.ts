/**
 * `nullcam proxy` end to end on loopback with real peers: a GStreamer RTSP server plays a clip with a face
 * as the camera, nullcam (a child process) serves it, two ffmpeg clients play it at once over TCP and UDP. Checked: every face
 * in the received frames no longer matches its identity (a control read straight from the camera does), the
 * camera's frame rate, clients keep receiving while the camera restarts, and bad input is one line while
 * the other cameras keep running. Skipped without GStreamer's RTSP server (scripts/setup.sh installs it).
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RtspServer } from '../../src/egress/rtsp-server.js';
import { SAME_PERSON_THRESHOLD } from '../../src/track/face-embedder.js';
import { ffmpeg, media, tempDir } from '../fixtures/media.js';
import { ReceivedIdentity } from './received-identity.js';
import { CLI, freePort, hasGstRtspServer, QUICK, readRtsp, startCamera, startProxy, type Camera, type Proxy } from './live-fixtures.js';
import { spawnSync } from 'node:child_process';

const W = 640, H = 480;
const gst = hasGstRtspServer();
const tmp = tempDir('nullcam-proxy-');

describe.skipIf(!gst)('nullcam proxy with a GStreamer camera and ffmpeg clients (skipped without python3-gi + gir1.2-gst-rtsp-server-1.0: run scripts/setup.sh)', () => {
  let clip: string, camera: Camera, cameraPort: number, proxy: Proxy, served: string, metricsPort: number;
  let identity: ReceivedIdentity;

  beforeAll(async () => {
    // interview.mp4 four times (32 s) with a keyframe every second, as a camera would send it.
    clip = path.join(tmp.dir, 'camera.mp4');
    ffmpeg(['-stream_loop', '3', '-i', media('interview.mp4'), '-an', '-c:v', 'libx264', '-preset', 'ultrafast', '-tune', 'zerolatency', '-g', '25', clip]);
    cameraPort = await freePort();
    camera = await startCamera(cameraPort, clip);
    const servePort = await freePort();
    metricsPort = await freePort();
    served = `rtsp://127.0.0.1:${servePort}/cam1`;
    proxy = startProxy([camera.url, '--serve', served, '--metrics', `127.0.0.1:${metricsPort}`, ...QUICK]);
    identity = await ReceivedIdentity.open();
    await proxy.waitFor('[cam1] up');
  }, 120_000);

  afterAll(async () => {
    await proxy?.stop();
    await camera?.stop();
    await identity?.close();
    tmp.remove();
  });

  it('control: faces read straight from the camera match their identity (so the check below can fail)', async () => {
    const direct = await readRtsp(camera.url, 'tcp', 1.5, W, H);
    const sims = await identity.similarities(direct, 4);
    expect(sims.length).toBeGreaterThanOrEqual(3);
    expect(Math.min(...sims)).toBeGreaterThan(SAME_PERSON_THRESHOLD);
  });

  it('two clients at once, TCP and UDP (joining 1 s later): every face covered, at the camera frame rate', async () => {
    const tcp = readRtsp(served, 'tcp', 3, W, H);
    await new Promise((r) => setTimeout(r, 1000));
    const udp = readRtsp(served, 'udp', 3, W, H);
    for (const got of [await tcp, await udp]) {
      // 3 s at 25 fps = 75; drops are allowed (and counted) when the machine is busy, gaps in pts are not.
      expect(got.frames.length, got.stderr.slice(-500)).toBeGreaterThanOrEqual(50);
      const gaps = got.seconds.slice(1).map((s, i) => s - got.seconds[i]).sort((a, b) => a - b);
      expect(gaps[gaps.length >> 1]).toBeCloseTo(0.04, 3);
      const sims = await identity.similarities(got);
      expect(sims.length).toBeGreaterThanOrEqual(6);
      expect(Math.max(...sims)).toBeLessThan(SAME_PERSON_THRESHOLD);
    }
  });

  it('keeps clients playing while the camera restarts, and reconnects', async () => {
    const playing = readRtsp(served, 'tcp', 7, W, H);
    await new Promise((r) => setTimeout(r, 1500));
    await camera.stop();
    await proxy.waitFor(/\[cam1\] down: /, 10_000);
    // Away longer than live.gapFillSeconds (0.5 s here): a quick reconnect alone needs no fillers.
    await new Promise((r) => setTimeout(r, 1000));
    camera = await startCamera(cameraPort, clip);
    const got = await playing;
    expect(proxy.stderr()).toMatch(/\[cam1\] down: .*; reconnecting in [\d.]+ s \(attempt 1\)/);
    expect(proxy.stderr().split('[cam1] up').length).toBeGreaterThanOrEqual(3); // up, down, up again
    // Frames never stopped: the gap was filled with black frames at the frame rate.
    expect(got.frames.length, got.stderr.slice(-500)).toBeGreaterThanOrEqual(7 * 25 * 0.6);
    // From the second frame on: ffmpeg's RTSP client stamps its first frame 0 before it has a sender report.
    const backwards = got.seconds.filter((s, i) => i > 1 && s <= got.seconds[i - 1]);
    expect(backwards, got.seconds.join(' ')).toEqual([]);
    const black = (f: Buffer) => f.subarray(0, W * H).every((v) => Math.abs(v - 16) < 6);
    expect(got.frames.some(black)).toBe(true);
    expect(black(got.frames[got.frames.length - 1])).toBe(false); // the camera's picture came back
    const metrics = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
    expect(metrics).toMatch(/^nullcam_reconnects_total\{camera="cam1"\} [1-9]/m);
    expect(metrics).toMatch(/^nullcam_camera_up\{camera="cam1"\} 1$/m);
    expect((await fetch(`http://127.0.0.1:${metricsPort}/healthz`)).status).toBe(200);
  });

  it('--publish pushes the anonymized stream to an RTSP server (ffmpeg listening for ANNOUNCE/RECORD)', async () => {
    const port = await freePort();
    const receiving = readRtsp(`rtsp://127.0.0.1:${port}/pub`, 'tcp', 2, W, H, ['-rtsp_flags', 'listen']);
    await new Promise((r) => setTimeout(r, 500)); // ffmpeg listening
    const publisher = startProxy([camera.url, '--publish', `rtsp://127.0.0.1:${port}/pub`, ...QUICK]);
    try {
      const got = await receiving;
      expect(got.frames.length, got.stderr.slice(-500) + publisher.stderr()).toBeGreaterThanOrEqual(30);
      const sims = await identity.similarities(got, 4);
      expect(sims.length).toBeGreaterThanOrEqual(3);
      expect(Math.max(...sims)).toBeLessThan(SAME_PERSON_THRESHOLD);
    } finally {
      await publisher.stop();
    }
  });

  it('a camera that never answers is one line and exit 1', () => {
    const run = spawnSync(process.execPath, [CLI, 'proxy', 'rtsp://user:secret@127.0.0.1:9/none', '--serve', `rtsp://127.0.0.1:${cameraPort + 1}/x`, '--set', 'live.startAttempts=2', ...QUICK], { encoding: 'utf8', timeout: 60_000 });
    expect(run.status).toBe(1);
    const last = run.stderr.trim().split('\n').pop();
    expect(last).toMatch(/^nullcam: Cannot read rtsp:\/\/user:\*\*\*@127\.0\.0\.1:9\/none: .*Connection refused \(2 attempts\); check the URL, the credentials and that the camera is reachable\.$/);
    expect(run.stderr).not.toContain('secret');
  });

  it('with several cameras, a dead URL, wrong credentials and a port in use are one line each; a non-H.264 camera is served as H.264', async () => {
    const locked = await RtspServer.listen({ port: 0, auth: { username: 'user', password: 'right' } });
    locked.mount('/x');
    const mpeg4 = path.join(tmp.dir, 'mpeg4.mp4');
    ffmpeg(['-i', media('interview.mp4'), '-an', '-c:v', 'mpeg4', '-g', '25', '-q:v', '5', mpeg4]);
    const mpeg4Port = await freePort();
    const mpeg4Camera = await startCamera(mpeg4Port, mpeg4, 'mp4v');
    const port = await freePort();
    const config = path.join(tmp.dir, 'cameras.json');
    writeFileSync(
      config,
      JSON.stringify({
        live: {
          cameras: [
            { name: 'mpeg4', url: mpeg4Camera.url, serve: `rtsp://127.0.0.1:${port}/mpeg4` },
            { name: 'dead', url: 'rtsp://127.0.0.1:9/none', serve: `rtsp://127.0.0.1:${port}/dead` },
            { name: 'auth', url: `rtsp://user:wrong@127.0.0.1:${locked.port}/x`, serve: `rtsp://127.0.0.1:${port}/auth` },
            { name: 'busy', url: camera.url, serve: `rtsp://127.0.0.1:${cameraPort}/busy` },
          ],
        },
      }),
    );
    const multi = startProxy(['--config', config, ...QUICK]);
    try {
      await multi.waitFor('[mpeg4] up');
      await multi.waitFor('[dead] not reachable: ');
      await multi.waitFor('[auth] not reachable: ');
      const got = await readRtsp(`rtsp://127.0.0.1:${port}/mpeg4`, 'tcp', 2, W, H);
      expect(got.frames.length).toBeGreaterThanOrEqual(40);
      expect(got.stderr).toMatch(/Video: h264/);
      const lines = multi.stderr().split('\n');
      expect(lines.filter((l) => l.includes(`${cameraPort}`) && l.includes('already in use'))).toHaveLength(1);
      expect(lines.find((l) => l.includes('[dead] not reachable'))).toMatch(/^nullcam: \[dead\] not reachable: .*Connection refused; reconnecting in [\d.]+ s \(attempt 1\)$/);
      expect(lines.find((l) => l.includes('[auth] not reachable'))).toMatch(/^nullcam: \[auth\] not reachable: .*401 Unauthorized.*; reconnecting in [\d.]+ s \(attempt 1\)$/);
      expect(multi.stderr()).not.toContain('wrong');
      expect(multi.child.exitCode).toBeNull();
    } finally {
      await multi.stop();
      await mpeg4Camera.stop();
      await locked.close();
    }
  });
});
