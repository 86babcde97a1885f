/**
 * A camera whose stream does not say its frame rate, or not in time for the proxy's quick probe:
 * `nullcam proxy` measures the rate from the first frames' timestamps, and its keyframes follow
 * `live.gopSeconds` in time. Before, it assumed 25 fps: a 10 fps camera got a keyframe every 2.5 s, and a
 * client joining waited that long for a picture. Skipped without GStreamer's RTSP server.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ffmpeg, media, tempDir } from '../fixtures/media.js';
import { freePort, hasGstRtspServer, QUICK, readRtsp, startCamera, startProxy, type Camera, type Proxy } from './live-fixtures.js';

const tmp = tempDir('nullcam-proxy-rate-');

describe.skipIf(!hasGstRtspServer())('nullcam proxy with a 10 fps camera that does not say its rate', () => {
  let camera: Camera, proxy: Proxy, served: string;

  beforeAll(async () => {
    // With an audio track, the proxy's quick probe (-probesize 32) ends before it has the video's rate, as
    // with many cameras; the SPS has timing, so a camera without any is not what this builds.
    const clip = path.join(tmp.dir, 'camera-10fps.mp4');
    ffmpeg(['-stream_loop', '1', '-i', media('interview.mp4'), '-vf', 'fps=10', '-c:v', 'libx264', '-preset', 'ultrafast', '-tune', 'zerolatency', '-g', '10', '-c:a', 'aac', clip]);
    const cameraPort = await freePort();
    camera = await startCamera(cameraPort, clip, 'h264', 'aac');
    served = `rtsp://127.0.0.1:${await freePort()}/cam1`;
    proxy = startProxy([camera.url, '--serve', served, ...QUICK]);
    await proxy.waitFor('[cam1] up');
  }, 120_000);

  afterAll(async () => {
    await proxy?.stop();
    await camera?.stop();
    tmp.remove();
  });

  it('measures 10 fps, and clients get a keyframe every live.gopSeconds (1 s), at 10 fps', async () => {
    await proxy.waitFor('[cam1] the stream runs at 10 fps (measured)', 10_000);
    const got = await readRtsp(served, 'tcp', 5, 640, 480);
    const steps = got.seconds.slice(1).map((s, i) => s - got.seconds[i]).sort((a, b) => a - b);
    expect(steps[steps.length >> 1], got.stderr.slice(-500)).toBeCloseTo(0.1, 3);
    const keyframes = [...got.stderr.matchAll(/pts_time:(\S+).*?iskey:1/g)].map((m) => Number(m[1]));
    expect(keyframes.length, got.stderr.slice(-500)).toBeGreaterThanOrEqual(4);
    // From the second keyframe on (ffmpeg's RTSP client stamps its first two frames 0: it gives the first
    // packet no pts, from GStreamer's RTSP server as from nullcam's); the median, as a frame dropped under
    // load would stretch one interval by a frame.
    const gops = keyframes.slice(2).map((t, i) => t - keyframes[i + 1]).sort((a, b) => a - b);
    expect(gops[gops.length >> 1], `keyframes at ${keyframes.join(', ')} s`).toBeCloseTo(1, 2);
  }, 60_000);
});
