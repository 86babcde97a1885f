/**
 * Shared pieces of the RTSP tests: a short H.264 clip with a short GOP (made from interview.mp4), a feeder
 * that plays it into a sink in a loop at 25 fps like a live camera, and ffmpeg as an RTSP client.
 */
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { AnnexBParser } from '../../src/egress/annexb-parser.js';
import type { H264AccessUnit } from '../../src/egress/h264-access-unit.js';
import type { LiveSink } from '../../src/egress/live-sink.js';
import { ffmpeg, media } from '../fixtures/media.js';

/** 2 s of interview.mp4 (640×480, 25 fps) as Annex-B with AUDs, an IDR every 10 frames. */
export function makeH264Clip(dir: string, seconds = 2): string {
  const out = path.join(dir, 'clip.h264');
  ffmpeg(['-i', media('interview.mp4'), '-t', String(seconds), '-an', '-c:v', 'libx264', '-preset', 'ultrafast', '-tune', 'zerolatency', '-g', '10', '-bsf:v', 'h264_metadata=aud=insert', '-f', 'h264', out]);
  return out;
}

export function readAccessUnits(file: string): H264AccessUnit[] {
  const parser = new AnnexBParser();
  return [...parser.push(readFileSync(file)), ...parser.flush()];
}

/** Writes `aus` in a loop at 25 fps with continuous timestamps until the returned stop function is called. */
export function playLoop(sink: LiveSink, aus: readonly H264AccessUnit[]): () => void {
  let i = 0;
  const timer = setInterval(() => {
    sink.write({ ...aus[i % aus.length], pts90k: i * 3600 });
    i++;
  }, 40);
  return () => clearInterval(timer);
}

export interface ClientResult {
  readonly frames: number;
  readonly code: number | null;
  /** ffmpeg's stderr at -v error: empty when every packet decoded cleanly. */
  readonly errors: string;
}

/** Reads `frames` decoded frames from an RTSP URL with ffmpeg (`-f framecrc`: one line per frame). */
export function ffmpegClient(url: string, transport: 'tcp' | 'udp', frames = 25, timeoutMs = 20_000): Promise<ClientResult> {
  return new Promise((resolve) => {
    const child = spawn('ffmpeg', ['-hide_banner', '-v', 'error', '-nostdin', '-rtsp_transport', transport, '-i', url, '-frames:v', String(frames), '-f', 'framecrc', '-'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let errors = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (errors += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ frames: out.split('\n').filter((l) => /^0,/.test(l)).length, code, errors: errors.trim() });
    });
  });
}

/** Runs a command without blocking the event loop (the server under test lives in this process). */
export function runCommand(command: string, args: readonly string[], timeoutMs = 20_000): Promise<{ status: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('close', (status) => {
      clearTimeout(timer);
      resolve({ status, stderr: stderr.trim() });
    });
  });
}

/** Whether a command exists on PATH (tests that need it skip with a reason otherwise). */
export function hasCommand(command: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${command}`]).status === 0;
}

/** Whether Python can load GStreamer's RTSP server (Debian gir1.2-gst-rtsp-server-1.0, python3-gi). */
export function hasGstRtspServer(): boolean {
  return spawnSync('/usr/bin/python3', ['-c', "import gi; gi.require_version('GstRtspServer', '1.0'); from gi.repository import GstRtspServer"]).status === 0;
}

/** A TCP port that was free a moment ago on 127.0.0.1 (for peers that cannot pick their own). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer().once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}
