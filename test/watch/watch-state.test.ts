import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { WatchState } from '../../src/watch/watch-state.js';
import { tempDir } from '../fixtures/media.js';

describe('WatchState', () => {
  const tmp = tempDir();
  afterAll(() => tmp.remove());

  it('starts empty, saves every record atomically, and reads back what it saved', async () => {
    const file = path.join(tmp.dir, 'state', 'watch.json');
    mkdirSync(path.dirname(file));
    writeFileSync(`${file}.4242.tmp`, '{"version":1,"segm'); // a save interrupted by a kill
    const state = await WatchState.load(file);
    expect(state.size).toBe(0);
    await state.record('cam/a.mp4', { status: 'done', size: 5, mtimeMs: 1.5, output: 'cam/a.mp4' });
    await state.record('cam/b.mp4', { status: 'failed', size: 3, mtimeMs: 2, reason: 'not a video' });
    expect(readdirSync(path.dirname(file))).toEqual(['watch.json']); // no temp file left
    const again = await WatchState.load(file);
    expect(again.get('cam/a.mp4')).toMatchObject({ status: 'done', size: 5, mtimeMs: 1.5, output: 'cam/a.mp4' });
    expect(again.get('cam/b.mp4')).toMatchObject({ status: 'failed', reason: 'not a video' });
    await again.retain(new Set(['cam/b.mp4']));
    expect(Object.keys(JSON.parse(readFileSync(file, 'utf8')).segments)).toEqual(['cam/b.mp4']);
  });

  it('refuses a file that is not a watch state, with one line', async () => {
    const file = path.join(tmp.dir, 'other.json');
    writeFileSync(file, '{"hello": 1}');
    await expect(WatchState.load(file)).rejects.toThrow(`${file} is not a nullcam watch state (unknown layout); move it away to start over, or pass another --state.`);
  });
});
