/**
 * Audio/video sync, measured on media: a clip that beeps (1 kHz, 100 ms) every two seconds while a white
 * bar sweeps in across the top of the picture, its width telling each frame how long ago the beep began,
 * and the offsets of beeps from those instants in a recording of it. Every frame of a sweep dates the
 * marker on its own, so a frame dropped by a loaded proxy does not move it (a one-frame flash would: a
 * flash whose frame is dropped shows 40 ms late). Shared by the live tests that carry audio.
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { expect } from 'vitest';
import { ffmpeg, media } from '../fixtures/media.js';

/** Seconds between markers in the clip. */
export const MARKER_PERIOD_S = 2;
/** Seconds the bar takes to sweep across the frame (the width of the picture). */
const SWEEP_S = 0.2;
/** Height of the bar and of the black band it sweeps over, px: the top of the picture, clear of the face. */
const BAR_PX = 24;
/** Columns the band is measured in: 1/64 of the sweep, 3 ms. */
const COLUMNS = 64;

/**
 * interview.mp4 (a face) looped to `seconds`, 25 fps H.264 with a keyframe every second, with a marker
 * every two seconds over a quiet hum (so the audio's extent shows), and its audio in `audio`: aac (48 kHz), pcm_alaw (8 kHz, in .mov) or libopus.
 */
export function makeSyncClip(out: string, seconds: number, audio: 'aac' | 'pcm_alaw' | 'libopus'): string {
  const rate = audio === 'pcm_alaw' ? 8000 : 48000;
  ffmpeg([
    '-stream_loop', '-1', '-i', media('interview.mp4'),
    '-f', 'lavfi', '-i', `aevalsrc='0.01*sin(2*PI*200*t)+if(lt(mod(t\\,${MARKER_PERIOD_S})\\,0.1)\\,0.8*sin(2*PI*1000*t)\\,0)':s=${rate}:d=${seconds}`,
    '-f', 'lavfi', '-i', `color=white:s=4096x${BAR_PX}:r=25`,
    // The bar's right edge is at W × (time since the marker) / SWEEP_S; off-screen the rest of the period.
    // On a black band: the picture's own top can be bright.
    '-filter_complex', `[0:v]drawbox=x=0:y=0:w=iw:h=${BAR_PX}:color=black:t=fill[band];[band][2:v]overlay=x='if(lt(mod(t,${MARKER_PERIOD_S}),${SWEEP_S}),-w+W*mod(t,${MARKER_PERIOD_S})/${SWEEP_S},W)':y=0:eval=frame:shortest=1[v]`,
    '-map', '[v]', '-map', '1:a', '-t', String(seconds),
    '-c:v', 'libx264', '-preset', 'ultrafast', '-tune', 'zerolatency', '-g', '25',
    '-c:a', audio, '-ac', '1', out,
  ]);
  return out;
}

export interface SyncReport {
  /** Times (s) of markers (from the bar's sweeps) and beep onsets, on the recording's shared timeline. */
  readonly markers: number[];
  readonly beeps: number[];
  /** For each marker with a beep within half a period: beep minus marker, ms. */
  readonly offsetsMs: number[];
  /** Seconds of decoded audio and of video (first to last frame). */
  readonly audioSeconds: number;
  readonly videoSeconds: number;
  readonly audioCodec: string;
}

/** Reads a recording (any container ffmpeg reads; its first video and audio stream). */
export function measureSync(file: string): SyncReport {
  // One decode per stream; both share the input's timeline (ffmpeg shifts every stream by the same start).
  const video = spawnSync('ffmpeg', ['-hide_banner', '-nostdin', '-i', file, '-map', '0:v:0', '-vf', `crop=iw:${BAR_PX / 2}:0:0,scale=${COLUMNS}:1,showinfo`, '-fps_mode', 'passthrough', '-pix_fmt', 'gray', '-f', 'rawvideo', '-'], { maxBuffer: 1 << 28 });
  const times = [...video.stderr.toString().matchAll(/pts_time:(\S+)/g)].map((m) => Number(m[1]));
  // Each frame with the bar in: its time less the sweep so far. A marker: the earliest of its frames. A
  // loaded proxy repeats the last frame in the slot of one it dropped, old pixels at a later pts, which
  // can only date the marker later; a frame shown in its own slot dates it right (±3 ms, one column).
  const sweeps: number[][] = [];
  for (let i = 0; i < times.length && (i + 1) * COLUMNS <= video.stdout.length; i++) {
    const row = video.stdout.subarray(i * COLUMNS, (i + 1) * COLUMNS);
    const lit = row.findIndex((v) => v < 200);
    const width = lit < 0 ? COLUMNS : lit;
    if (width < 2 || width > COLUMNS - 2) continue; // no bar, or one too close to an edge to date
    const at = times[i] - (SWEEP_S * width) / COLUMNS;
    const last = sweeps.at(-1);
    if (last && at - last[0] < MARKER_PERIOD_S / 2) last.push(at);
    else sweeps.push([at]);
  }
  const markers = sweeps.map((times) => Math.min(...times));
  // Audio from time 0 of the timeline (silence padded in front of its first sample), at 8 kHz mono.
  const pcm = execFileSync('ffmpeg', ['-hide_banner', '-nostdin', '-v', 'error', '-i', file, '-map', '0:a:0', '-af', 'aresample=async=1:first_pts=0', '-ac', '1', '-ar', '8000', '-f', 's16le', '-'], { maxBuffer: 1 << 28 });
  const samples = new Int16Array(pcm.buffer, pcm.byteOffset, pcm.length >> 1);
  const beeps: number[] = [];
  let quiet = Infinity;
  for (let i = 0; i < samples.length; i++) {
    if (Math.abs(samples[i]) > 8000) {
      if (quiet > 4000) beeps.push(i / 8000); // after half a second of quiet
      quiet = 0;
    } else quiet++;
  }
  const offsetsMs = markers.flatMap((f) => {
    const nearest = beeps.reduce((best, b) => (Math.abs(b - f) < Math.abs(best - f) ? b : best), Infinity);
    return Math.abs(nearest - f) < MARKER_PERIOD_S / 2 ? [Math.round((nearest - f) * 1000)] : [];
  });
  const firstAudio = samples.findIndex((s) => s !== 0);
  const audioCodec = execFileSync('ffprobe', ['-v', 'error', '-select_streams', 'a:0', '-show_entries', 'stream=codec_name', '-of', 'csv=p=0', file], { encoding: 'utf8' }).trim();
  return { markers, beeps, offsetsMs, audioSeconds: (samples.length - Math.max(0, firstAudio)) / 8000, videoSeconds: times.length ? times[times.length - 1] - times[0] : 0, audioCodec };
}

export const median = (xs: readonly number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1];

/** Beep minus marker may differ from the camera's own by less than a frame (40 ms at 25 fps). */
const SYNC_TOLERANCE_MS = 25;

/**
 * The received audio is in sync with its video as the camera sent it (`cameraOffsetMs`), each marker
 * within `toleranceMs`, and as long as the video. `log` (the proxy's) goes into the failure message: a
 * reconnect during the recording shows there.
 */
export function expectInSync(got: SyncReport, cameraOffsetMs: number, codec: string, toleranceMs = SYNC_TOLERANCE_MS, log = ''): void {
  const detail = `${JSON.stringify({ got, cameraOffsetMs })}\n${log}`;
  expect(got.audioCodec, detail).toBe(codec);
  // The first marker can fall before the client's first sender report (ffmpeg stamps its first frame 0).
  const checked = got.offsetsMs.slice(1);
  expect(checked.length, detail).toBeGreaterThanOrEqual(1);
  for (const offset of checked) expect(Math.abs(offset - cameraOffsetMs), detail).toBeLessThan(toleranceMs);
  expect(Math.abs(got.audioSeconds - got.videoSeconds), detail).toBeLessThan(0.3);
}

/** Records `seconds` of an RTSP stream to `out` as ffmpeg receives it (stream copy, every track). @returns out */
export function recordRtsp(url: string, transport: 'tcp' | 'udp', seconds: number, out: string, inputArgs: readonly string[] = []): Promise<string> {
  const child = spawn('ffmpeg', ['-hide_banner', '-nostdin', '-v', 'error', '-y', '-rtsp_transport', transport, ...inputArgs, '-i', url, '-t', String(seconds), '-c', 'copy', '-f', 'matroska', out], { stdio: 'ignore' });
  const timer = setTimeout(() => child.kill('SIGKILL'), (seconds + 30) * 1000);
  return new Promise((resolve) => child.once('close', () => (clearTimeout(timer), resolve(out))));
}
