/**
 * Shared by the live integration tests and the live bench: a GStreamer RTSP camera (scripts/rtsp-test-camera.py) as a
 * child process, `nullcam proxy` as a child process, ffmpeg as an RTSP client returning raw frames, and free
 * loopback ports. Tests skip with a reason when GStreamer's RTSP server is not installed.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import path from 'node:path';

const ROOT = path.resolve(import.meta.dirname, '../..');
export const CLI = path.join(ROOT, 'bin/nullcam.js');
const CAMERA_SCRIPT = path.join(ROOT, 'scripts/rtsp-test-camera.py');

/** Whether /usr/bin/python3 can load GStreamer's RTSP server (scripts/setup.sh installs it). */
export function hasGstRtspServer(): boolean {
  return spawnSync('/usr/bin/python3', ['-c', "import gi; gi.require_version('GstRtspServer', '1.0'); from gi.repository import GstRtspServer"]).status === 0;
}

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  await new Promise((r) => server.close(r));
  return port;
}

export interface Camera {
  readonly url: string;
  stop(): Promise<void>;
}

/** Starts a camera serving `file` (and its audio track, in the codec given) at rtsp://127.0.0.1:port/cam; resolves once it listens. */
export async function startCamera(port: number, file: string, codec: 'h264' | 'mp4v' = 'h264', audio: 'none' | 'aac' | 'pcma' | 'opus' = 'none'): Promise<Camera> {
  const child = spawn('/usr/bin/python3', [CAMERA_SCRIPT, String(port), '/cam', file, codec, audio], { stdio: ['ignore', 'pipe', 'pipe'] });
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => d.toString().includes('ready') && resolve());
    child.once('exit', (code) => reject(new Error(`camera exited ${code}`)));
  });
  return { url: `rtsp://127.0.0.1:${port}/cam`, stop: () => stopChild(child) };
}

export async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const gone = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
  await gone;
  clearTimeout(timer);
}

/** The proxy's settings for a quick test: fast reconnects, short stall and gap times. */
export const QUICK = ['--set', 'live.stallSeconds=1.5', '--set', 'live.reconnectMinSeconds=0.2', '--set', 'live.reconnectMaxSeconds=0.5', '--set', 'live.gapFillSeconds=0.5'];

export interface Proxy {
  readonly child: ChildProcess;
  /** Everything it wrote to stderr so far. */
  stderr(): string;
  /** Resolves when stderr contains `text`; rejects after `timeoutMs` or when the process exits. */
  waitFor(text: string | RegExp, timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

/** Starts `nullcam proxy args`; `env` is added to this process's environment. */
export function startProxy(args: readonly string[], env: NodeJS.ProcessEnv = {}): Proxy {
  const child = spawn(process.execPath, [CLI, 'proxy', ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
  let err = '';
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const has = (t: string | RegExp) => (typeof t === 'string' ? err.includes(t) : t.test(err));
  return {
    child,
    stderr: () => err,
    waitFor: (text, timeoutMs = 30_000) =>
      new Promise((resolve, reject) => {
        const started = Date.now();
        const poll = setInterval(() => {
          if (has(text)) resolve();
          else if (child.exitCode !== null || Date.now() - started > timeoutMs) reject(new Error(`proxy never said ${String(text)} (exit ${child.exitCode} ${child.signalCode}); stderr:\n${err}`));
          else return;
          clearInterval(poll);
        }, 50);
      }),
    stop: () => stopChild(child),
  };
}

export interface Received {
  readonly frames: Buffer[];
  readonly width: number;
  readonly height: number;
  /** Each frame's pts in seconds, as the client saw them. */
  readonly seconds: number[];
  readonly stderr: string;
}

/**
 * Plays an RTSP URL with ffmpeg for `seconds` and returns the decoded frames (yuv420p, WxH given) and their
 * timestamps (from showinfo). `inputArgs` go before -i (`-rtsp_flags listen` receives a published stream).
 */
export function readRtsp(url: string, transport: 'tcp' | 'udp', seconds: number, width: number, height: number, inputArgs: readonly string[] = []): Promise<Received> {
  const child = spawn(
    'ffmpeg',
    ['-hide_banner', '-nostdin', '-loglevel', 'level+info', '-rtsp_transport', transport, ...inputArgs, '-i', url, '-t', String(seconds), '-vf', 'showinfo=checksum=0', '-fps_mode', 'passthrough', '-pix_fmt', 'yuv420p', '-s', `${width}x${height}`, '-f', 'rawvideo', '-'],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const chunks: Buffer[] = [];
  let err = '';
  child.stdout!.on('data', (d: Buffer) => chunks.push(d));
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), (seconds + 30) * 1000);
  return new Promise((resolve) => {
    child.once('close', () => {
      clearTimeout(timer);
      const all = Buffer.concat(chunks);
      const size = (width * height * 3) / 2;
      const frames = Array.from({ length: Math.floor(all.length / size) }, (_, i) => all.subarray(i * size, (i + 1) * size));
      const seconds = [...err.matchAll(/pts_time:(\S+)/g)].map((m) => Number(m[1]));
      resolve({ frames, width, height, seconds, stderr: err });
    });
  });
}
