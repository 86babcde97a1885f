/**
 * Finds the ffmpeg (and ffprobe) that nullcam runs, and what it can do. Library code never reads the
 * environment: the app passes `NULLCAM_FFMPEG` in as `override`.
 */
import { execFile } from 'node:child_process';
import { access, constants, stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { promisify } from 'node:util';
import { NullcamError } from '../errors.js';

const execFileAsync = promisify(execFile);

/** Where the binary came from: the caller's override, PATH, or the npm fallback package. */
export type FfmpegOrigin = 'override' | 'system' | 'npm';

export interface FfmpegBinary {
  /** Absolute path of the ffmpeg executable. */
  readonly ffmpeg: string;
  /** Absolute path of ffprobe, or null when none sits next to ffmpeg or on PATH (the npm package ships none). */
  readonly ffprobe: string | null;
  /** Version as `ffmpeg -version` prints it, e.g. "5.1.9-0+deb12u1" or "N-47683-g0e8eb07980-static". */
  readonly version: string;
  readonly origin: FfmpegOrigin;
  /** `-fps_mode` exists (ffmpeg ≥ 5.1); older builds spell it `-vsync`. */
  readonly hasFpsMode: boolean;
  /** The mp4/mov muxer has `-movie_timescale` (5.1 has it, the 2018 npm build not); without it edit lists round to ms. */
  readonly hasMovieTimescale: boolean;
}

export interface LocateOptions {
  /** Path to an ffmpeg executable that wins over everything else (the app passes NULLCAM_FFMPEG). */
  readonly override?: string;
  /** PATH to search, defaults to this process's PATH (tests pass an empty one to force the npm fallback). */
  readonly searchPath?: string;
}

/**
 * Locates ffmpeg and reports its version and origin. Order: `override`, then `ffmpeg` on PATH, then
 * `@ffmpeg-installer/ffmpeg` (a 2018 build, no ffprobe).
 * @throws NullcamError when the override is not executable or no ffmpeg is found at all.
 * @example
 * await locateFfmpeg() // { ffmpeg: '/usr/bin/ffmpeg', ffprobe: '/usr/bin/ffprobe', version: '5.1.9-0+deb12u1', origin: 'system', hasFpsMode: true, hasMovieTimescale: true }
 */
export async function locateFfmpeg(options: LocateOptions = {}): Promise<FfmpegBinary> {
  const searchPath = options.searchPath ?? process.env.PATH ?? '';
  if (options.override !== undefined) {
    const ffmpeg = path.resolve(options.override);
    if (!(await isExecutable(ffmpeg))) {
      throw new NullcamError(`NULLCAM_FFMPEG points at ${ffmpeg}, which is not an executable file; fix the path or unset it.`);
    }
    const sibling = path.join(path.dirname(ffmpeg), 'ffprobe');
    return describe(ffmpeg, (await isExecutable(sibling)) ? sibling : await which('ffprobe', searchPath), 'override');
  }
  const system = await which('ffmpeg', searchPath);
  if (system) return describe(system, await which('ffprobe', searchPath), 'system');
  const npm = npmFfmpegPath();
  if (npm && (await isExecutable(npm))) return describe(npm, null, 'npm');
  throw new NullcamError('No ffmpeg found: install it (e.g. `apt-get install ffmpeg`) or set NULLCAM_FFMPEG to its path.');
}

async function describe(ffmpeg: string, ffprobe: string | null, origin: FfmpegOrigin): Promise<FfmpegBinary> {
  let versionText: string;
  let helpText: string;
  let mp4Help: string;
  try {
    versionText = (await execFileAsync(ffmpeg, ['-hide_banner', '-version'])).stdout;
    // Feature probes by option list, not version number: distro and static builds carry odd version strings.
    helpText = (await execFileAsync(ffmpeg, ['-hide_banner', '-h', 'long'], { maxBuffer: 16 << 20 })).stdout;
    mp4Help = (await execFileAsync(ffmpeg, ['-hide_banner', '-h', 'muxer=mp4'], { maxBuffer: 16 << 20 })).stdout;
  } catch (cause) {
    throw new NullcamError(`${ffmpeg} does not run as ffmpeg (${firstLine(cause)}); reinstall it or point NULLCAM_FFMPEG elsewhere.`, 1, { cause });
  }
  const version = /^ffmpeg version (\S+)/m.exec(versionText)?.[1];
  if (!version) throw new NullcamError(`${ffmpeg} is not ffmpeg (no "ffmpeg version" line); point NULLCAM_FFMPEG at an ffmpeg binary.`);
  return Object.freeze({
    ffmpeg,
    ffprobe,
    version,
    origin,
    hasFpsMode: /^-fps_mode\b/m.test(helpText),
    hasMovieTimescale: /^\s*-movie_timescale\b/m.test(mp4Help),
  });
}

/** First executable named `name` on `searchPath`, like `which`. */
async function which(name: string, searchPath: string): Promise<string | null> {
  for (const dir of searchPath.split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, name);
    if (await isExecutable(candidate)) return candidate;
  }
  return null;
}

async function isExecutable(file: string): Promise<boolean> {
  try {
    await access(file, constants.X_OK);
    return (await stat(file)).isFile();
  } catch {
    return false;
  }
}

function npmFfmpegPath(): string | null {
  try {
    const require = createRequire(import.meta.url);
    return (require('@ffmpeg-installer/ffmpeg') as { path: string }).path;
  } catch {
    return null;
  }
}

function firstLine(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).split('\n')[0];
}
