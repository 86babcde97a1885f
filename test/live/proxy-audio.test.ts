/**
 * `nullcam proxy` carries a camera's audio, in sync, end to end with real peers: GStreamer cameras send a
 * clip that flashes and beeps at the same instants every two seconds, with AAC, G.711 A-law, Opus (which
 * RTP-in-FLV cannot carry as is, so nullcam re-encodes it to AAC) or no audio; nullcam serves them (and
 * publishes one to ffmpeg listening for ANNOUNCE/RECORD); ffmpeg records what it receives. Checked: the
 * codec, audio as long as the video, and each beep within 25 ms (less than a frame) of its flash, as
 * the camera itself had it. Skipped without GStreamer's RTSP server (scripts/setup.sh installs it).
 */
import { execFileSync, spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../fixtures/media.js';
import { makeSyncClip, measureSync, median, type SyncReport } from './av-sync.js';
import { freePort, hasGstRtspServer, startCamera, startProxy, type Camera, type Proxy } from './live-fixtures.js';

const gst = hasGstRtspServer();
const tmp = tempDir('nullcam-audio-');
/** Beep minus flash may differ from the camera's own by less than a frame (40 ms at 25 fps). */
const SYNC_TOLERANCE_MS = 25;

/** Records `seconds` of an RTSP stream as ffmpeg receives it (stream copy, every track). @returns the file */
function record(url: string, transport: 'tcp' | 'udp', seconds: number, name: string, inputArgs: readonly string[] = []): Promise<string> {
  const out = path.join(tmp.dir, `${name}.mkv`);
  const child = spawn('ffmpeg', ['-hide_banner', '-nostdin', '-v', 'error', '-y', '-rtsp_transport', transport, ...inputArgs, '-i', url, '-t', String(seconds), '-c', 'copy', '-f', 'matroska', out], { stdio: 'ignore' });
  const timer = setTimeout(() => child.kill('SIGKILL'), (seconds + 30) * 1000);
  return new Promise((resolve) => child.once('close', () => (clearTimeout(timer), resolve(out))));
}

const recordSync = async (...args: Parameters<typeof record>): Promise<SyncReport> => measureSync(await record(...args));

/** The received audio is in sync with its video as the camera sent it, and as long as the video. */
function expectInSync(got: SyncReport, camera: SyncReport, codec: string): void {
  const detail = JSON.stringify({ got, camera: camera.offsetsMs });
  expect(got.audioCodec, detail).toBe(codec);
  expect(got.offsetsMs.length, detail).toBeGreaterThanOrEqual(2);
  // The first marker can fall before the client's first sender report (ffmpeg stamps its first frame 0).
  for (const offset of got.offsetsMs.slice(1)) expect(Math.abs(offset - median(camera.offsetsMs)), detail).toBeLessThan(SYNC_TOLERANCE_MS);
  expect(Math.abs(got.audioSeconds - got.videoSeconds), detail).toBeLessThan(0.3);
}

describe.skipIf(!gst)('nullcam proxy carries camera audio in sync (skipped without python3-gi + gir1.2-gst-rtsp-server-1.0: run scripts/setup.sh)', () => {
  const cameras: Record<string, Camera> = {};
  const direct: Record<string, SyncReport> = {};
  let proxy: Proxy, port: number, published: Promise<string>;

  beforeAll(async () => {
    const clips = {
      aac: makeSyncClip(path.join(tmp.dir, 'aac.mp4'), 30, 'aac'),
      pcma: makeSyncClip(path.join(tmp.dir, 'pcma.mov'), 30, 'pcm_alaw'),
      opus: makeSyncClip(path.join(tmp.dir, 'opus.mp4'), 30, 'libopus'),
    };
    for (const [codec, clip] of Object.entries(clips)) cameras[codec] = await startCamera(await freePort(), clip, 'h264', codec as 'aac' | 'pcma' | 'opus');
    cameras.none = await startCamera(await freePort(), clips.aac, 'h264', 'none');
    // The control: what each camera sends, recorded the same way.
    for (const codec of Object.keys(clips)) direct[codec] = await recordSync(cameras[codec].url, 'tcp', 5, `direct-${codec}`);
    const listenPort = await freePort();
    published = record(`rtsp://127.0.0.1:${listenPort}/pub`, 'tcp', 6, 'published', ['-rtsp_flags', 'listen']);
    await new Promise((r) => setTimeout(r, 500)); // ffmpeg listening
    port = await freePort();
    const config = path.join(tmp.dir, 'cameras.json');
    const serve = (name: string) => ({ name, url: cameras[name].url, serve: `rtsp://127.0.0.1:${port}/${name}` });
    writeFileSync(config, JSON.stringify({ live: { cameras: [{ ...serve('aac'), publish: `rtsp://127.0.0.1:${listenPort}/pub` }, serve('pcma'), serve('opus'), serve('none')] } }));
    proxy = startProxy(['--config', config, '--set', 'live.reconnectMinSeconds=0.2']);
    for (const name of ['aac', 'pcma', 'opus', 'none']) await proxy.waitFor(`[${name}] up`, 60_000);
  }, 180_000);

  afterAll(async () => {
    await proxy?.stop();
    for (const camera of Object.values(cameras)) await camera.stop();
    tmp.remove();
  });

  it('control: the cameras send their beeps with their flashes', () => {
    for (const report of Object.values(direct)) {
      expect(report.offsetsMs.length).toBeGreaterThanOrEqual(2);
      expect(Math.abs(median(report.offsetsMs))).toBeLessThan(15);
    }
  });

  it('AAC as sent, over TCP and UDP at once, in sync', async () => {
    const [tcp, udp] = await Promise.all([recordSync(`rtsp://127.0.0.1:${port}/aac`, 'tcp', 7, 'aac-tcp'), recordSync(`rtsp://127.0.0.1:${port}/aac`, 'udp', 7, 'aac-udp')]);
    expectInSync(tcp, direct.aac, 'aac');
    expectInSync(udp, direct.aac, 'aac');
  });

  it('G.711 A-law as sent, in sync', async () => {
    expectInSync(await recordSync(`rtsp://127.0.0.1:${port}/pcma`, 'tcp', 7, 'pcma'), direct.pcma, 'pcm_alaw');
  });

  it('Opus re-encoded to AAC (said once), in sync', async () => {
    expect(proxy.stderr()).toContain("[opus] the camera's audio cannot be carried as it is; re-encoding it to AAC");
    expectInSync(await recordSync(`rtsp://127.0.0.1:${port}/opus`, 'tcp', 7, 'opus'), direct.opus, 'aac');
  });

  it('--publish carries the audio too, in sync', async () => {
    expectInSync(measureSync(await published), direct.aac, 'aac');
  });

  it('a camera without audio is served as video only, and says so', async () => {
    expect(proxy.stderr()).toContain('[none] the camera sends no audio; serving video only');
    const got = await record(`rtsp://127.0.0.1:${port}/none`, 'tcp', 3, 'none');
    const streams = execFileSync('ffprobe', ['-v', 'error', '-show_entries', 'stream=codec_type', '-of', 'csv=p=0', got], { encoding: 'utf8' });
    expect(streams.trim().split('\n')).toEqual(['video']);
  });
});
