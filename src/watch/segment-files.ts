/** Which files in a recorder's directory are video segments, and where each one's anonymized copy goes. */
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { CONTAINERS } from '../egress/output-file.js';

/** Extensions recorders write segments with (mp4/mkv from most NVRs and ffmpeg's segment muxer, ts/avi from DVRs). */
export const SEGMENT_EXTENSIONS: ReadonlySet<string> = new Set(['.mp4', '.m4v', '.mov', '.mkv', '.avi', '.ts', '.mts', '.m2ts', '.webm', '.flv', '.mpg', '.mpeg', '.3gp']);

export interface SegmentFile {
  /** Path relative to the watched directory, with / separators: the key in the state file. */
  readonly segment: string;
  readonly path: string;
  readonly size: number;
  readonly mtimeMs: number;
}

/**
 * Every segment under `dir`, recursively. Hidden files and folders (temp files of recorders and of nullcam)
 * are skipped, and so is `exclude` (the output directory when it lies inside the watched one).
 * @throws the file system's error when `dir` itself cannot be read (the caller keeps its state as it is)
 */
export async function listSegments(dir: string, exclude?: string): Promise<SegmentFile[]> {
  const out: SegmentFile[] = [];
  const walk = async (folder: string, rootLevel: boolean): Promise<void> => {
    let entries;
    try {
      entries = await readdir(folder, { withFileTypes: true });
    } catch (error) {
      if (rootLevel) throw error;
      return; // a subfolder removed while scanning
    }
    for (const entry of entries) {
      if (entry.name.startsWith('.')) continue;
      const full = path.join(folder, entry.name);
      if (entry.isDirectory()) {
        if (exclude === undefined || path.resolve(full) !== path.resolve(exclude)) await walk(full, false);
      } else if (entry.isFile() && SEGMENT_EXTENSIONS.has(path.extname(entry.name).toLowerCase())) {
        const s = await stat(full).catch(() => undefined);
        if (s) out.push({ segment: path.relative(dir, full).split(path.sep).join('/'), path: full, size: s.size, mtimeMs: s.mtimeMs });
      }
    }
  };
  await walk(dir, true);
  return out.sort((a, b) => a.segment.localeCompare(b.segment));
}

/**
 * The output for a segment: the same relative path; containers nullcam cannot write (ts, avi, …) become .mkv.
 * @example
 * outputFor('cam1/2026-11-23/10-00.ts') // 'cam1/2026-11-23/10-00.mkv'
 */
export function outputFor(segment: string): string {
  const ext = path.posix.extname(segment);
  return ext.toLowerCase() in CONTAINERS ? segment : `${segment.slice(0, segment.length - ext.length)}.mkv`;
}
