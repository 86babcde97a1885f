/**
 * Opening an input means probing it: every way an input can be wrong (missing, unreadable, empty, not a
 * video, dead URL) is reported here as a one-line NullcamError, before any decoder or encoder starts.
 */
import { execFile } from 'node:child_process';
import { open, stat } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { NullcamError } from '../errors.js';
import { ffmpegProbeArgs, ffprobeArgs } from './ffmpeg-args.js';
import type { FfmpegBinary } from './ffmpeg-binary.js';
import { lastReason } from './ffmpeg-error.js';
import { mediaInfoFromFfmpegStderr } from './ffmpeg-stderr-probe.js';
import { mediaInfoFromFfprobe, type MediaInfo, type VideoStreamInfo } from './media-info.js';
import { isUrl, redactUrl } from './redact-url.js';

/** Demuxers that "open" text files as video: the 2018 ffmpeg reads any .txt as ANSI art ("tty"). */
const TEXT_RENDERERS = new Set(['tty']);

/** A probed input, ready to decode. Only `openInput` makes one, so nothing decodes unprobed input. */
export interface ProbedInput {
  /** What ffmpeg opens: an absolute path or the URL as given. */
  readonly source: string;
  /** What messages show: the path, or the URL with credentials masked. */
  readonly displayName: string;
  readonly info: MediaInfo & { readonly video: VideoStreamInfo };
}

export interface OpenOptions {
  readonly binary: FfmpegBinary;
  /** Working directory relative paths resolve against, default `process.cwd()`. */
  readonly cwd?: string;
}

/**
 * Checks and probes an input (file path, `file:` URL or network URL).
 * @throws NullcamError with a one-line message saying what to do, for a missing, unreadable or empty file,
 *   input ffmpeg cannot read, input without a video stream, or a URL that does not answer.
 * @example
 * const input = await openInput('interview.mp4', { binary });
 * input.info.video // { index: 0, kind: 'video', codec: 'h264', width: 640, height: 480, timeBase: { num: 1, den: 12800 }, frameRate: { num: 25, den: 1 }, frameCount: 200, … }
 */
export async function openInput(source: string, options: OpenOptions): Promise<ProbedInput> {
  const url = isUrl(source);
  const resolved = url ? source : path.resolve(options.cwd ?? process.cwd(), source.startsWith('file:') ? fileURLToPath(source) : source);
  const displayName = url ? redactUrl(source) : resolved;
  if (!url) await checkReadableFile(resolved);
  const info = await probe(options.binary, resolved, displayName, url);
  if (TEXT_RENDERERS.has(info.format)) throw notAVideo(displayName, 'it is a text file');
  if (!info.video) {
    const found = info.streams.map((s) => `${s.attachedPicture ? 'cover art' : s.kind} ${s.codec}`).join(', ') || 'no streams';
    throw new NullcamError(`${displayName} has no video stream (found: ${found}); pass a video file or stream.`);
  }
  if (info.video.width <= 0 || info.video.height <= 0) {
    throw new NullcamError(`${displayName}: ffmpeg cannot tell the video size (codec ${info.video.codec}); convert the file with ffmpeg first.`);
  }
  return { source: resolved, displayName, info: info as ProbedInput['info'] };
}

/** Missing, permission, directory and empty-file checks: cheaper and clearer than ffmpeg's wording. */
async function checkReadableFile(file: string): Promise<void> {
  let size: number;
  try {
    const s = await stat(file);
    if (s.isDirectory()) throw new NullcamError(`${file} is a directory; pass a video file.`);
    size = s.size;
    // stat needs no read permission; opening does.
    await (await open(file, 'r')).close();
  } catch (error) {
    if (error instanceof NullcamError) throw error;
    throw fileError(file, error);
  }
  if (size === 0) throw new NullcamError(`${file} is empty (0 bytes); re-export or re-download the video.`);
}

/** Maps a file-system error on the input to its one-line message. */
export function fileError(file: string, error: unknown): NullcamError {
  const code = (error as NodeJS.ErrnoException).code;
  switch (code) {
    case 'ENOENT':
      return new NullcamError(`Input not found: ${file}; check the path.`, 1, { cause: error });
    case 'ENOTDIR':
      return new NullcamError(`Input not found: ${file} (a parent is not a directory); check the path.`, 1, { cause: error });
    case 'EACCES':
    case 'EPERM':
      return new NullcamError(`Cannot read ${file}: permission denied; make it readable (chmod a+r) or run as its owner.`, 1, { cause: error });
    default:
      return new NullcamError(`Cannot read ${file} (${code ?? String(error)}); check the file and the disk.`, 1, { cause: error });
  }
}

async function probe(binary: FfmpegBinary, source: string, displayName: string, url: boolean): Promise<MediaInfo> {
  if (binary.ffprobe) {
    const run = await execCollect(binary.ffprobe, ffprobeArgs(source));
    if (run.code === 0) return mediaInfoFromFfprobe(run.stdout);
    throw probeError(displayName, url, run.stderr);
  }
  // `ffmpeg -i` alone always exits 1 ("At least one output file must be specified"); the dump decides.
  const run = await execCollect(binary.ffmpeg, ffmpegProbeArgs(source));
  const info = mediaInfoFromFfmpegStderr(run.stderr);
  if (info) return info;
  throw probeError(displayName, url, run.stderr);
}

function probeError(displayName: string, url: boolean, stderr: string): NullcamError {
  const reason = lastReason(stderr.split(/\r?\n/).filter((l) => !/^At least one output file must be specified/.test(l)));
  // ffmpeg prefixes its reason with the source ("rtsp://user:pw@host/x: Connection refused"); drop the echo.
  const shortReason = redactUrl(reason).replace(`${displayName}: `, '') || 'no reason given';
  if (url) return new NullcamError(`Cannot open ${displayName}: ${shortReason}; check the URL, the credentials and that the server is reachable.`);
  return notAVideo(displayName, shortReason);
}

function notAVideo(displayName: string, reason: string): NullcamError {
  return new NullcamError(`${displayName} is not a video ffmpeg can read (${reason}); check the file is complete, or convert it.`);
}

interface Collected {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

function execCollect(file: string, args: string[]): Promise<Collected> {
  return new Promise((resolve) => {
    execFile(file, args, { maxBuffer: 64 << 20 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : null) : 0;
      resolve({ code, stdout, stderr: stderr || (error && typeof error.code !== 'number' ? error.message : '') });
    });
  });
}
