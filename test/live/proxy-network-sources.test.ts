/**
 * `nullcam proxy` with cameras that are not RTSP: ffmpeg sends a clip with a face (and audio) live over SRT, HTTP
 * (MPEG-TS), RTMP (FLV), UDP (MPEG-TS, joined mid-stream) and as an HLS playlist; nullcam serves it over
 * RTSP, ffmpeg plays that. Checked: every face is covered, the frame rate is the camera's, and frames are
 * not dropped: nullcam starts decoding at once instead of after ffmpeg's default probe (five seconds of
 * frames for these formats, which a live proxy must then drop as stale), and paces HLS segments; the audio
 * arrives in sync with the picture (av-sync.ts). Needs no
 * GStreamer; a protocol the ffmpeg build lacks is skipped.
 */
import { spawn, spawnSync } from 'node:child_process';
import { createReadStream, existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SAME_PERSON_THRESHOLD } from '../../src/track/face-embedder.js';
import { tempDir } from '../fixtures/media.js';
import { expectInSync, makeSyncClip, measureSync, recordRtsp } from './av-sync.js';
import { freePort, readRtsp, startProxy, stopChild } from './live-fixtures.js';
import { ReceivedIdentity } from './received-identity.js';

const W = 640, H = 480;
const tmp = tempDir('nullcam-sources-');
const protocols = spawnSync('ffmpeg', ['-hide_banner', '-protocols'], { encoding: 'utf8' }).stdout ?? '';
const has = (protocol: string) => new RegExp(`^\\s*${protocol}$`, 'm').test(protocols.split('Output:')[1] ?? '');

interface Sender {
  /** The camera URL nullcam reads. */
  readonly url: string;
  stop(): Promise<void>;
}

/** ffmpeg sending `clip` live (`-re`, stream copy) with `output` options. */
function send(clip: string, url: string, output: readonly string[]): Sender {
  const child = spawn('ffmpeg', ['-hide_banner', '-v', 'error', '-nostdin', '-re', '-i', clip, '-c', 'copy', ...output], { stdio: 'ignore' });
  return { url, stop: () => stopChild(child) };
}

/** A live HLS playlist of 1 s segments, served over HTTP once its first segment is written. */
async function sendHls(clip: string): Promise<Sender> {
  const dir = mkdtempSync(path.join(tmp.dir, 'hls-'));
  const ffmpegSender = send(clip, '', ['-f', 'hls', '-hls_time', '1', '-hls_list_size', '4', '-hls_flags', 'delete_segments', path.join(dir, 'live.m3u8')]);
  const server = createServer((req, res) => {
    createReadStream(path.join(dir, path.basename(req.url ?? ''))).on('error', () => res.writeHead(404).end()).pipe(res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  while (!existsSync(path.join(dir, 'live.m3u8'))) await new Promise((r) => setTimeout(r, 100));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/live.m3u8`,
    stop: async () => {
      await ffmpegSender.stop();
      server.close();
    },
  };
}

/**
 * Each source: the ffmpeg protocol it needs, and its sender. Listeners (SRT, HTTP, RTMP) start sending,
 * from the clip's start, when nullcam connects; UDP is already running, so nullcam joins it mid-stream;
 * HLS runs segments behind and arrives a segment at a time.
 */
const SOURCES = {
  srt: { needs: 'srt', start: async (clip: string, port: number) => send(clip, `srt://127.0.0.1:${port}`, ['-f', 'mpegts', `srt://127.0.0.1:${port}?mode=listener`]) },
  http: { needs: 'http', start: async (clip: string, port: number) => send(clip, `http://127.0.0.1:${port}/live.ts`, ['-f', 'mpegts', '-listen', '1', `http://127.0.0.1:${port}/live.ts`]) },
  rtmp: { needs: 'rtmp', start: async (clip: string, port: number) => send(clip, `rtmp://127.0.0.1:${port}/live/cam`, ['-f', 'flv', '-listen', '1', `rtmp://127.0.0.1:${port}/live/cam`]) },
  udp: { needs: 'udp', start: async (clip: string, port: number) => send(clip, `udp://127.0.0.1:${port}`, ['-f', 'mpegts', `udp://127.0.0.1:${port}?pkt_size=1316`]) },
  hls: { needs: 'http', start: (clip: string) => sendHls(clip) },
} as const;

describe('nullcam proxy reading SRT, HTTP, RTMP, UDP and HLS cameras (ffmpeg as the sender)', () => {
  let clip: string;
  let identity: ReceivedIdentity;

  beforeAll(async () => {
    // interview.mp4 looped (32 s) with a keyframe every second, as a camera would send it, with AAC audio
    // that beeps on picture markers (av-sync.ts).
    clip = makeSyncClip(path.join(tmp.dir, 'camera.mp4'), 32, 'aac');
    identity = await ReceivedIdentity.open();
  }, 120_000);

  afterAll(async () => {
    await identity?.close();
    tmp.remove();
  });

  it.each(Object.keys(SOURCES) as (keyof typeof SOURCES)[])('%s: faces covered, camera frame rate, frames not dropped, audio in sync', async (protocol) => {
    if (!has(SOURCES[protocol].needs)) return console.warn(`skipped: this ffmpeg cannot send ${SOURCES[protocol].needs}`);
    const source = await SOURCES[protocol].start(clip, await freePort());
    const [servePort, metricsPort] = [await freePort(), await freePort()];
    const served = `rtsp://127.0.0.1:${servePort}/cam`;
    const proxy = startProxy([source.url, '--serve', served, '--metrics', `127.0.0.1:${metricsPort}`]);
    try {
      await proxy.waitFor('[cam] up', 20_000);
      const [got, recorded] = await Promise.all([readRtsp(served, 'tcp', 3, W, H), recordRtsp(served, 'tcp', 7, path.join(tmp.dir, `${protocol}.mkv`))]);
      // Re-encoded to AAC except over RTMP, whose first bytes describe the audio (copied as it is).
      expectInSync(measureSync(recorded), 0, 'aac');
      expect(got.frames.length, got.stderr.slice(-500) + proxy.stderr()).toBeGreaterThanOrEqual(50);
      const gaps = got.seconds.slice(1).map((s, i) => s - got.seconds[i]).sort((a, b) => a - b);
      expect(gaps[gaps.length >> 1]).toBeCloseTo(0.04, 3);
      const sims = await identity.similarities(got, 4);
      expect(sims.length).toBeGreaterThanOrEqual(3);
      expect(Math.max(...sims)).toBeLessThan(SAME_PERSON_THRESHOLD);
      // ffmpeg's default probe would have held back ~125 frames and released them at once, all dropped;
      // HLS segments decoded unpaced arrive a second's worth at once, and half the frames were dropped.
      const metrics = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
      const dropped = [...metrics.matchAll(/^nullcam_frames_dropped_total\{[^}]*\} (\d+)$/gm)].reduce((sum, m) => sum + Number(m[1]), 0);
      expect(dropped, metrics).toBeLessThan(40); // a loaded machine may drop some; the probe backlog is ~125
      expect(proxy.stderr()).not.toContain('probing it in full');
    } finally {
      await proxy.stop();
      await source.stop();
    }
  }, 60_000);

  it("covers a camera's privacy zone (live.cameras[].zones) on every frame", async () => {
    if (!has('http')) return console.warn('skipped: this ffmpeg cannot send http');
    const source = await SOURCES.http.start(clip, await freePort());
    const served = `rtsp://127.0.0.1:${await freePort()}/cam`;
    const config = path.join(tmp.dir, 'zones.json');
    // The left half of the picture.
    writeFileSync(config, JSON.stringify({ live: { cameras: [{ name: 'cam', url: source.url, serve: served, zones: [[0, 0, 0.5, 1]] }] } }));
    const proxy = startProxy(['--config', config]);
    try {
      await proxy.waitFor('[cam] up', 20_000);
      const got = await readRtsp(served, 'tcp', 2, W, H);
      expect(got.frames.length, proxy.stderr()).toBeGreaterThanOrEqual(25);
      for (const frame of got.frames) {
        let zoneMax = 0, restSum = 0;
        for (let y = 0; y < H; y++) {
          // 8 px away from the zone's edge, where codec blocks smear across it.
          for (let x = 0; x < W / 2 - 8; x++) zoneMax = Math.max(zoneMax, frame[y * W + x]);
          for (let x = W / 2 + 8; x < W; x++) restSum += frame[y * W + x];
        }
        expect(zoneMax).toBeLessThan(24); // black is 16 in limited range
        expect(restSum / (H * (W / 2 - 8))).toBeGreaterThan(40); // the camera's picture
      }
    } finally {
      await proxy.stop();
      await source.stop();
    }
  }, 60_000);
});
