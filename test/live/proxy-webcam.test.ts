/**
 * `nullcam proxy /dev/videoN` end to end: ffmpeg's own v4l2 input reads a webcam, nullcam serves it over RTSP,
 * ffmpeg plays it. The webcam is emulated in user space (fake-webcam.c, loaded into nullcam's ffmpeg with
 * LD_PRELOAD): it answers the V4L2 calls as a UVC webcam does (YUYV, and MJPEG as HD webcams send, mmap
 * streaming, monotonic timestamps) and plays interview.mp4's frames. So this tests nullcam with ffmpeg's real v4l2 demuxer, not a kernel driver
 * or a real camera (this machine has neither a capture device nor v4l2loopback). Checked: every face covered,
 * the webcam's frame rate, and an unplugged webcam: the proxy keeps its clients playing, says why, and picks
 * the webcam up again when it is back; a webcam another program holds (busy), at start and after a gap;
 * MJPEG asked for and served, damaged JPEGs among it included. Skipped without a C compiler.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SAME_PERSON_THRESHOLD } from '../../src/track/face-embedder.js';
import { ffmpeg, media, tempDir } from '../fixtures/media.js';
import { CLI, freePort, QUICK, readRtsp, startProxy, type Proxy } from './live-fixtures.js';
import { ReceivedIdentity } from './received-identity.js';

const W = 640, H = 480, FPS = 25;
const DEVICE = '/dev/video42';
const tmp = tempDir('nullcam-webcam-');
const shim = path.join(tmp.dir, 'fake-webcam.so');
const compiled = spawnSync('gcc', ['-shared', '-fPIC', '-O2', '-o', shim, path.join(import.meta.dirname, 'fake-webcam.c'), '-ldl'], { encoding: 'utf8' });
const unpluggedFlag = path.join(tmp.dir, 'unplugged');
/** While it exists another program streams from the webcam (uvcvideo then answers EBUSY). */
const busyFlag = path.join(tmp.dir, 'busy');

const skipped = compiled.status === 0 ? '' : `; skipped, the emulated webcam did not build: ${compiled.error?.message ?? compiled.stderr.split('\n')[0]}`;

describe.skipIf(compiled.status !== 0)(`nullcam proxy reading a webcam (${DEVICE}, emulated${skipped})`, () => {
  let proxy: Proxy, served: string, identity: ReceivedIdentity, env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    const frames = path.join(tmp.dir, 'frames.yuyv');
    ffmpeg(['-i', media('interview.mp4'), '-t', '3', '-vf', `scale=${W}:${H}`, '-pix_fmt', 'yuyv422', '-f', 'rawvideo', frames]);
    // The same frames as JPEGs (4:2:2, full range, as webcams encode them), each after its length.
    const jpegDir = path.join(tmp.dir, 'jpeg');
    mkdirSync(jpegDir);
    ffmpeg(['-i', media('interview.mp4'), '-t', '3', '-vf', `scale=${W}:${H}`, '-pix_fmt', 'yuvj422p', '-c:v', 'mjpeg', '-q:v', '4', path.join(jpegDir, '%04d.jpg')]);
    const jpegs = path.join(tmp.dir, 'frames.mjpeg');
    writeFileSync(jpegs, Buffer.concat(readdirSync(jpegDir).sort().flatMap((name) => {
      const jpeg = readFileSync(path.join(jpegDir, name));
      const length = Buffer.alloc(4);
      length.writeUInt32LE(jpeg.length);
      return [length, jpeg];
    })));
    // nullcam's ffmpeg, with the webcam loaded into it (only ffmpeg: nullcam itself never opens the device).
    const wrapper = path.join(tmp.dir, 'ffmpeg');
    const system = spawnSync('sh', ['-c', 'command -v ffmpeg'], { encoding: 'utf8' }).stdout.trim();
    writeFileSync(wrapper, `#!/bin/sh\nLD_PRELOAD='${shim}' exec '${system}' "$@"\n`);
    chmodSync(wrapper, 0o755);
    served = `rtsp://127.0.0.1:${await freePort()}/webcam`;
    env = {
      NULLCAM_FFMPEG: wrapper,
      FAKE_WEBCAM_DEVICE: DEVICE,
      FAKE_WEBCAM_FRAMES: frames,
      FAKE_WEBCAM_MJPEG: jpegs,
      FAKE_WEBCAM_SIZE: `${W}x${H}`,
      FAKE_WEBCAM_FPS: String(FPS),
      FAKE_WEBCAM_UNPLUGGED: unpluggedFlag,
      FAKE_WEBCAM_BUSY: busyFlag,
    };
    proxy = startProxy([DEVICE, '--serve', served, ...QUICK], env);
    identity = await ReceivedIdentity.open();
    await proxy.waitFor('[webcam] up');
  }, 120_000);

  afterAll(async () => {
    await proxy?.stop();
    await identity?.close();
    tmp.remove();
  });

  it('serves the webcam with every face covered, at its frame rate', async () => {
    const got = await readRtsp(served, 'tcp', 4, W, H);
    expect(got.stderr).toMatch(/Video: h264/);
    expect(got.frames.length, got.stderr.slice(-500)).toBeGreaterThanOrEqual(4 * FPS * 0.7);
    const gaps = gapsOf(got.seconds).sort((a, b) => a - b);
    expect(gaps[gaps.length >> 1]).toBeCloseTo(1 / FPS, 3);
    const sims = await identity.similarities(got);
    expect(sims.length).toBeGreaterThanOrEqual(6);
    expect(Math.max(...sims)).toBeLessThan(SAME_PERSON_THRESHOLD);
    // A webcam has no audio track (its microphone is another device): no probe for one, no audio served.
    expect(got.stderr).not.toMatch(/Audio:/);
    expect(proxy.stderr()).not.toMatch(/audio/);
  });

  it('an unplugged webcam: clients keep playing, the proxy says why and picks it up again when it is back', async () => {
    const playing = readRtsp(served, 'tcp', 8, W, H);
    await new Promise((r) => setTimeout(r, 1500));
    writeFileSync(unpluggedFlag, '');
    await proxy.waitFor(/\[webcam\] down: .*No such device/, 10_000);
    await proxy.waitFor(/\[webcam\] down: .*No such file or directory/, 10_000); // while it is away, opening it fails
    rmSync(unpluggedFlag);
    const got = await playing;
    expect(proxy.stderr().split('[webcam] up').length, proxy.stderr()).toBeGreaterThanOrEqual(3); // up, down, up again
    expect(got.frames.length, got.stderr.slice(-500)).toBeGreaterThanOrEqual(8 * FPS * 0.6);
    const backwards = got.seconds.filter((s, i) => i > 1 && s <= got.seconds[i - 1]);
    expect(backwards, got.seconds.join(' ')).toEqual([]);
    const black = (f: Buffer) => f.subarray(0, W * H).every((v) => Math.abs(v - 16) < 6);
    expect(got.frames.some(black)).toBe(true); // the gap, filled
    expect(black(got.frames[got.frames.length - 1])).toBe(false); // the webcam's picture came back
    const after = { ...got, frames: got.frames.slice(-2 * FPS) };
    const sims = await identity.similarities(after, 4);
    expect(sims.length).toBeGreaterThanOrEqual(3);
    expect(Math.max(...sims)).toBeLessThan(SAME_PERSON_THRESHOLD);
  });

  it('a webcam another program took while it was away: the proxy says it is busy, and picks it up once free', async () => {
    const other = startProxy([DEVICE, '--serve', `rtsp://127.0.0.1:${await freePort()}/taken`, ...QUICK], env);
    try {
      await other.waitFor('[taken] up');
      writeFileSync(busyFlag, '');
      writeFileSync(unpluggedFlag, '');
      await other.waitFor(/\[taken\] down: .*No such device/, 10_000);
      rmSync(unpluggedFlag);
      await other.waitFor(/\[taken\] down: Device or resource busy; reconnecting/, 10_000);
      rmSync(busyFlag);
      await other.waitFor(/\[taken\] up[^]*\[taken\] up/, 15_000);
    } finally {
      rmSync(busyFlag, { force: true });
      rmSync(unpluggedFlag, { force: true });
      await other.stop();
    }
  });

  it('a webcam another program holds at start: one line that says so and what to do, and exit 1', async () => {
    writeFileSync(busyFlag, '');
    try {
      const run = spawnSync(process.execPath, [CLI, 'proxy', DEVICE, '--serve', `rtsp://127.0.0.1:${await freePort()}/x`, '--set', 'live.startAttempts=1', ...QUICK], { encoding: 'utf8', timeout: 60_000, env: { ...process.env, ...env } });
      expect(run.status).toBe(1);
      expect(run.stderr.trim().split('\n').pop()).toBe(
        'nullcam: Cannot read /dev/video42: Device or resource busy (1 attempt); check that no other program is using it (fuser -v /dev/video42 names them).',
      );
    } finally {
      rmSync(busyFlag);
    }
  });

  it('--webcam: a mode the webcam does not have is said once, and it serves the mode it has', async () => {
    const other = startProxy([DEVICE, '--serve', `rtsp://127.0.0.1:${await freePort()}/asked`, '--webcam', '1280x720@30', ...QUICK], env);
    try {
      await other.waitFor('[asked] up');
      await other.waitFor('[asked] the webcam captures 640x480 at 25 fps, not the 1280x720 at 30 fps asked for (live.webcam; its modes: ffmpeg -f v4l2 -list_formats all -i /dev/video42)');
    } finally {
      await other.stop();
    }
  });

  /** A proxy of its own on `mount` reading the webcam as MJPEG: 3 s served, at the webcam's rate, every face covered, never down. @returns what was served */
  async function servesMjpegCovered(mount: string, webcamEnv: NodeJS.ProcessEnv): Promise<Awaited<ReturnType<typeof readRtsp>>> {
    const url = `rtsp://127.0.0.1:${await freePort()}/${mount}`;
    const other = startProxy([DEVICE, '--serve', url, '--webcam', ':mjpeg', ...QUICK], { ...env, ...webcamEnv });
    try {
      await other.waitFor(`[${mount}] up`);
      const got = await readRtsp(url, 'tcp', 3, W, H);
      expect(got.frames.length, got.stderr.slice(-500)).toBeGreaterThanOrEqual(3 * FPS * 0.7);
      const gaps = gapsOf(got.seconds).sort((a, b) => a - b);
      expect(gaps[gaps.length >> 1]).toBeCloseTo(1 / FPS, 3);
      const sims = await identity.similarities(got, 4);
      expect(sims.length).toBeGreaterThanOrEqual(3);
      expect(Math.max(...sims)).toBeLessThan(SAME_PERSON_THRESHOLD);
      expect(other.stderr()).not.toMatch(/\] down/);
      return got;
    } finally {
      await other.stop();
    }
  }

  it('--webcam :mjpeg (how HD webcams send): served with every face covered, at its frame rate', async () => {
    await servesMjpegCovered('mjpeg', {});
  });

  it('damaged JPEGs (every 5th cut in half, as after lost USB packets): served, not skipped, with every face covered', async () => {
    const damagedLog = path.join(tmp.dir, 'damaged.log');
    const got = await servesMjpegCovered('damaged', { FAKE_WEBCAM_DAMAGED: '5', FAKE_WEBCAM_DAMAGED_LOG: damagedLog });
    // The webcam, inside nullcam's ffmpeg, handed out at least one cut JPEG for every five frames the client read.
    expect(readFileSync(damagedLog, 'utf8').trim().split('\n').length).toBeGreaterThanOrEqual(got.frames.length / 5 - 1);
    // Skipping the damaged frames would leave a double gap in every five.
    expect(gapsOf(got.seconds).filter((g) => g > 1.5 / FPS).length).toBeLessThan(got.frames.length / 10);
    const sims = await identity.similarities(got, got.frames.length); // every frame, the damaged ones among them
    expect(sims.length).toBeGreaterThanOrEqual(got.frames.length * 0.8);
    expect(Math.max(...sims)).toBeLessThan(SAME_PERSON_THRESHOLD);
  });

  it('--webcam: a format the webcam does not offer is one line naming it, and exit 1', async () => {
    const run = spawnSync(process.execPath, [CLI, 'proxy', DEVICE, '--serve', `rtsp://127.0.0.1:${await freePort()}/x`, '--webcam', ':h264', '--set', 'live.startAttempts=1', ...QUICK], { encoding: 'utf8', timeout: 60_000, env: { ...process.env, ...env } });
    expect(run.status).toBe(1);
    expect(run.stderr.trim().split('\n').pop()).toBe(
      "nullcam: Cannot read /dev/video42: video4linux2: Cannot find a proper format for codec 'h264' (id 27), pixel format 'none' (id -1) (1 attempt); check that the device exists (ls /dev/video*), that this user may read it (group video) and that it offers h264 (ffmpeg -f v4l2 -list_formats all -i /dev/video42).",
    );
  });
});

/** Seconds between consecutive frames. */
function gapsOf(seconds: readonly number[]): number[] {
  return seconds.slice(1).map((s, i) => s - seconds[i]);
}
