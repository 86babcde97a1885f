/**
 * `nullcam proxy` with cameras that are not RTSP: ffmpeg sends a clip with a face live over SRT, HTTP
 * (MPEG-TS), RTMP (FLV) and UDP (MPEG-TS, joined mid-stream), nullcam serves it over RTSP, ffmpeg plays
 * that. Checked: every face is covered, the frame rate is the camera's, and nullcam starts decoding at
 * once instead of after ffmpeg's default probe (five seconds of frames for these formats, which a live
 * proxy must then drop as stale). Needs no GStreamer; a protocol the ffmpeg build lacks is skipped.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SAME_PERSON_THRESHOLD } from '../../src/track/face-embedder.js';
import { ffmpeg, media, tempDir } from '../fixtures/media.js';
import { freePort, readRtsp, startProxy, stopChild } from './live-fixtures.js';
import { ReceivedIdentity } from './received-identity.js';

const W = 640, H = 480;
const tmp = tempDir('nullcam-sources-');
const protocols = spawnSync('ffmpeg', ['-hide_banner', '-protocols'], { encoding: 'utf8' }).stdout ?? '';
const has = (protocol: string) => new RegExp(`^\\s*${protocol}$`, 'm').test(protocols.split('Output:')[1] ?? '');

/** How the sender is reached (the camera URL nullcam reads) and its output options after `-c copy`. */
const SOURCES = {
  srt: (port: number) => ({ url: `srt://127.0.0.1:${port}`, output: ['-f', 'mpegts', `srt://127.0.0.1:${port}?mode=listener`] }),
  http: (port: number) => ({ url: `http://127.0.0.1:${port}/live.ts`, output: ['-f', 'mpegts', '-listen', '1', `http://127.0.0.1:${port}/live.ts`] }),
  rtmp: (port: number) => ({ url: `rtmp://127.0.0.1:${port}/live/cam`, output: ['-f', 'flv', '-listen', '1', `rtmp://127.0.0.1:${port}/live/cam`] }),
  udp: (port: number) => ({ url: `udp://127.0.0.1:${port}`, output: ['-f', 'mpegts', `udp://127.0.0.1:${port}?pkt_size=1316`] }),
} as const;

describe('nullcam proxy reading SRT, HTTP, RTMP and UDP cameras (ffmpeg as the sender)', () => {
  let clip: string;
  let identity: ReceivedIdentity;

  beforeAll(async () => {
    // interview.mp4 four times (32 s) with a keyframe every second, as a camera would send it.
    clip = path.join(tmp.dir, 'camera.mp4');
    ffmpeg(['-stream_loop', '3', '-i', media('interview.mp4'), '-an', '-c:v', 'libx264', '-preset', 'ultrafast', '-tune', 'zerolatency', '-g', '25', clip]);
    identity = await ReceivedIdentity.open();
  }, 120_000);

  afterAll(async () => {
    await identity?.close();
    tmp.remove();
  });

  it.each(Object.keys(SOURCES) as (keyof typeof SOURCES)[])('%s: faces covered, camera frame rate, no start-up probe backlog', async (protocol) => {
    if (!has(protocol)) return console.warn(`skipped: this ffmpeg cannot send ${protocol}`);
    const source = SOURCES[protocol](await freePort());
    // Listeners (SRT, HTTP, RTMP) start sending, from the clip's start, when nullcam connects; UDP is already
    // running, so nullcam joins it mid-stream.
    const sender: ChildProcess = spawn('ffmpeg', ['-hide_banner', '-v', 'error', '-nostdin', '-re', '-i', clip, '-c', 'copy', ...source.output], { stdio: 'ignore' });
    const [servePort, metricsPort] = [await freePort(), await freePort()];
    const served = `rtsp://127.0.0.1:${servePort}/cam`;
    const proxy = startProxy([source.url, '--serve', served, '--metrics', `127.0.0.1:${metricsPort}`]);
    try {
      await proxy.waitFor('[cam] up', 20_000);
      const got = await readRtsp(served, 'tcp', 3, W, H);
      expect(got.frames.length, got.stderr.slice(-500) + proxy.stderr()).toBeGreaterThanOrEqual(50);
      const gaps = got.seconds.slice(1).map((s, i) => s - got.seconds[i]).sort((a, b) => a - b);
      expect(gaps[gaps.length >> 1]).toBeCloseTo(0.04, 3);
      const sims = await identity.similarities(got, 4);
      expect(sims.length).toBeGreaterThanOrEqual(3);
      expect(Math.max(...sims)).toBeLessThan(SAME_PERSON_THRESHOLD);
      // ffmpeg's default probe would have held back ~125 frames and released them at once, all dropped.
      const metrics = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
      const dropped = [...metrics.matchAll(/^nullcam_frames_dropped_total\{[^}]*\} (\d+)$/gm)].reduce((sum, m) => sum + Number(m[1]), 0);
      expect(dropped, metrics).toBeLessThan(25);
      expect(proxy.stderr()).not.toContain('probing it in full');
    } finally {
      await proxy.stop();
      await stopChild(sender);
    }
  }, 60_000);
});
