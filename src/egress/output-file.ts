/**
 * Output files are written under a hidden temporary name in the same directory and renamed into place only
 * after ffmpeg succeeded, so a failed or interrupted run never leaves a truncated video under the real
 * name and never touches an existing file.
 */
import { randomBytes } from 'node:crypto';
import { unlinkSync } from 'node:fs';
import { access, constants, link, open, readdir, rename, stat, unlink } from 'node:fs/promises';
import path from 'node:path';
import { NullcamError } from '../errors.js';

/** ffmpeg muxer per output extension (lower case). */
export const CONTAINERS = { '.mp4': 'mp4', '.m4v': 'mp4', '.mov': 'mov', '.mkv': 'matroska' } as const;

export type Container = (typeof CONTAINERS)[keyof typeof CONTAINERS];

/**
 * Muxer for an output path, chosen by its extension.
 * @throws NullcamError for any other extension.
 * @example
 * containerFor('out/clip.MKV') // 'matroska'
 */
export function containerFor(output: string): Container {
  const ext = path.extname(output).toLowerCase();
  const container = (CONTAINERS as Record<string, Container>)[ext];
  if (!container) {
    throw new NullcamError(`Cannot write ${output}: unsupported extension "${ext || '(none)'}"; use ${Object.keys(CONTAINERS).join(', ')}.`, 2);
  }
  return container;
}

export interface TempOutput {
  /** Final path. */
  readonly output: string;
  /** Hidden file ffmpeg writes: `.<name>.nullcam-<random><ext>` next to the output (same file system, so the rename is atomic). */
  readonly path: string;
  /** Moves the temp file to the output. Without `overwrite` it fails, and removes the temp file, if the output appeared meanwhile. */
  commit(): Promise<void>;
  /** Removes the temp file; safe to call twice or after commit. */
  discard(): Promise<void>;
}

/**
 * Checks the output can be written and creates its (empty) temp file, before any decoding starts.
 * @param output destination path (its extension picks the container)
 * @param overwrite replace an existing output; default false
 * @throws NullcamError for an unsupported extension, an existing output (without overwrite), a missing or
 *   unwritable directory.
 */
export async function reserveTempOutput(output: string, overwrite = false): Promise<TempOutput> {
  const final = path.resolve(output);
  const ext = path.extname(final);
  containerFor(final);
  const dir = path.dirname(final);
  try {
    if (!(await stat(dir)).isDirectory()) throw Object.assign(new Error('not a directory'), { code: 'ENOTDIR' });
    await access(dir, constants.W_OK);
  } catch (error) {
    throw outputDirError(dir, error);
  }
  if (!overwrite && (await exists(final))) {
    throw new NullcamError(`Output ${final} already exists; choose another name, or allow overwriting (--overwrite).`, 2);
  }
  const temp = path.join(dir, `.${path.basename(final, ext)}.nullcam-${randomBytes(4).toString('hex')}${ext}`);
  try {
    // 'wx' fails if the name exists: the file is ours alone. Creating it proves the directory is writable.
    await (await open(temp, 'wx')).close();
  } catch (error) {
    throw outputDirError(dir, error);
  }
  let settled = false;
  pending.add(temp);
  return {
    output: final,
    path: temp,
    async commit() {
      settled = true;
      pending.delete(temp);
      if (overwrite) return rename(temp, final);
      try {
        // link() refuses to replace an existing file, unlike rename(): a file created meanwhile survives.
        await link(temp, final);
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        // File systems without hard links (FAT, some FUSE): check, then rename; the race window is tiny.
        if ((code === 'EPERM' || code === 'ENOTSUP' || code === 'ENOSYS') && !(await exists(final))) return rename(temp, final);
        await unlink(temp).catch(() => {});
        if (code === 'EEXIST' || code === 'EPERM' || code === 'ENOTSUP' || code === 'ENOSYS') {
          throw new NullcamError(`Output ${final} appeared while encoding; kept it untouched and discarded the new video.`, 1, { cause: error });
        }
        throw outputDirError(dir, error);
      }
      await unlink(temp);
    },
    async discard() {
      if (settled) return;
      settled = true;
      pending.delete(temp);
      await unlink(temp).catch(() => {});
    },
  };
}

/**
 * Removes temp files that a killed run (SIGKILL, power loss) left for `output`: `.<name>.nullcam-<hex><ext>`
 * next to it. Only for callers that own the output directory (another run may be writing its own temp).
 * @returns how many were removed
 */
export async function removeStaleTempOutputs(output: string): Promise<number> {
  const final = path.resolve(output);
  const ext = path.extname(final);
  const prefix = `.${path.basename(final, ext)}.nullcam-`;
  const dir = path.dirname(final);
  let removed = 0;
  for (const name of await readdir(dir).catch(() => [] as string[])) {
    if (name.startsWith(prefix) && name.endsWith(ext) && /^[0-9a-f]{8}$/.test(name.slice(prefix.length, name.length - ext.length))) {
      await unlink(path.join(dir, name)).then(() => removed++, () => {});
    }
  }
  return removed;
}

function outputDirError(dir: string, error: unknown): NullcamError {
  const code = (error as NodeJS.ErrnoException).code;
  const options = { cause: error };
  switch (code) {
    case 'ENOENT':
      return new NullcamError(`Output directory ${dir} does not exist; create it first.`, 2, options);
    case 'ENOTDIR':
      return new NullcamError(`Output directory ${dir} is not a directory; fix the output path.`, 2, options);
    case 'EACCES':
    case 'EPERM':
    case 'EROFS':
      return new NullcamError(`Cannot write to ${dir} (${code}); choose a writable output directory.`, 2, options);
    default:
      return new NullcamError(`Cannot write to ${dir} (${code ?? String(error)}); choose another output directory.`, 2, options);
  }
}

async function exists(file: string): Promise<boolean> {
  try {
    await stat(file);
    return true;
  } catch {
    return false;
  }
}

/** Temp files not yet committed or discarded; removed if Node exits first (e.g. process.exit on an error path). */
const pending = new Set<string>();
process.once('exit', () => {
  for (const temp of pending) {
    try {
      unlinkSync(temp);
    } catch {
      // already gone
    }
  }
});
