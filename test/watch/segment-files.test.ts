import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { listSegments, outputFor } from '../../src/watch/segment-files.js';
import { tempDir } from '../fixtures/media.js';

describe('listSegments', () => {
  const tmp = tempDir();
  afterAll(() => tmp.remove());

  it('finds video segments recursively, skipping hidden files, other files and the output directory', async () => {
    for (const f of ['cam1/2026/a.mp4', 'cam1/b.TS', 'cam2/c.mkv', 'cam2/.d.mp4', '.hidden/e.mp4', 'out/f.mp4', 'notes.txt', 'g.mp4.part']) {
      mkdirSync(path.dirname(path.join(tmp.dir, f)), { recursive: true });
      writeFileSync(path.join(tmp.dir, f), 'x');
    }
    const found = await listSegments(tmp.dir, path.join(tmp.dir, 'out'));
    expect(found.map((s) => s.segment)).toEqual(['cam1/2026/a.mp4', 'cam1/b.TS', 'cam2/c.mkv']);
    expect(found[0]).toMatchObject({ path: path.join(tmp.dir, 'cam1/2026/a.mp4'), size: 1 });
    await expect(listSegments(path.join(tmp.dir, 'missing'))).rejects.toThrow(/ENOENT/);
  });
});

describe('outputFor', () => {
  it.each([
    ['cam/a.mp4', 'cam/a.mp4'],
    ['cam/a.MKV', 'cam/a.MKV'],
    ['cam/a.ts', 'cam/a.mkv'],
    ['x.y.avi', 'x.y.mkv'],
  ])('%s → %s', (segment, output) => expect(outputFor(segment)).toBe(output));
});
