/**
 * The watch loop's bookkeeping with a stand-in for the anonymizer (it copies the file through the same
 * temp + rename discipline), so these run in milliseconds; the real pipeline is in test/cli/watch-cli.test.ts.
 */
import { copyFile, readFile } from 'node:fs/promises';
import { appendFileSync, existsSync, mkdirSync, readdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { defer, firstValueFrom, type Observable } from 'rxjs';
import { filter, take, toArray } from 'rxjs/operators';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { reserveTempOutput } from '../../src/egress/output-file.js';
import { NullcamError } from '../../src/errors.js';
import { watchSegments, type WatchEvent } from '../../src/watch/watch-segments.js';
import { WatchState } from '../../src/watch/watch-state.js';
import { tempDir } from '../fixtures/media.js';

let tmp: ReturnType<typeof tempDir>;
let inDir: string, outDir: string;
const calls: string[] = [];

/** Copies the input (refusing files that start with "bad"), as anonymizeFile would write its output. */
const fakeAnonymize = (input: string, output: string): Observable<{ frames: number }> =>
  defer(async () => {
    calls.push(path.basename(input));
    if ((await readFile(input, 'utf8')).startsWith('bad')) throw new NullcamError(`${path.basename(input)} is not a video`);
    const temp = await reserveTempOutput(output, true);
    await copyFile(input, temp.path);
    await temp.commit();
    return { frames: 1 };
  });

async function events(count: number, deleteOriginals = false): Promise<WatchEvent[]> {
  const state = await WatchState.load(path.join(outDir, '.state.json'));
  const watch$ = watchSegments({ inDir, outDir, state, settleMs: 30, pollMs: 10, deleteOriginals, anonymize: fakeAnonymize });
  return firstValueFrom(watch$.pipe(filter((e) => e.event !== 'deleted'), take(count), toArray()));
}

const write = (rel: string, text: string): void => {
  mkdirSync(path.dirname(path.join(inDir, rel)), { recursive: true });
  writeFileSync(path.join(inDir, rel), text);
};

beforeEach(() => {
  tmp = tempDir();
  inDir = path.join(tmp.dir, 'in');
  outDir = path.join(tmp.dir, 'out');
  mkdirSync(inDir);
  calls.length = 0;
});
afterEach(() => tmp.remove());

describe('watchSegments', () => {
  it('does each segment once across restarts, records bad ones as failed, and removes stale temp outputs', async () => {
    write('cam/a.mp4', 'aaa');
    write('cam/b.mp4', 'bad!');
    mkdirSync(path.join(outDir, 'cam'), { recursive: true });
    writeFileSync(path.join(outDir, 'cam/.a.nullcam-0123abcd.mp4'), 'left by a killed run');
    expect((await events(2)).map((e) => [e.event, 'segment' in e && e.segment])).toEqual([['done', 'cam/a.mp4'], ['failed', 'cam/b.mp4']]);
    expect(readdirSync(path.join(outDir, 'cam'))).toEqual(['a.mp4']);
    expect(readFileSync(path.join(outDir, 'cam/a.mp4'), 'utf8')).toBe('aaa');

    write('cam/c.mp4', 'ccc');
    expect(await events(1)).toMatchObject([{ event: 'done', segment: 'cam/c.mp4' }]);
    expect(calls).toEqual(['a.mp4', 'b.mp4', 'c.mp4']);
  });

  it('adopts an output that was renamed into place before the process died, instead of redoing it', async () => {
    write('a.mp4', 'aaa');
    mkdirSync(outDir);
    writeFileSync(path.join(outDir, 'a.mp4'), 'aaa');
    expect(await events(1)).toMatchObject([{ event: 'adopted', segment: 'a.mp4' }]);
    expect(calls).toEqual([]);
  });

  it('takes a segment again when it changed after it was done (a recorder reusing the name)', async () => {
    write('a.mp4', 'old');
    await events(1);
    appendFileSync(path.join(inDir, 'a.mp4'), '+new');
    const later = new Date(Date.now() + 5000);
    utimesSync(path.join(inDir, 'a.mp4'), later, later);
    expect(await events(1)).toMatchObject([{ event: 'done', segment: 'a.mp4' }]);
    expect(readFileSync(path.join(outDir, 'a.mp4'), 'utf8')).toBe('old+new');
  });

  it('deletes originals only once their output is recorded, and never failed ones', async () => {
    write('a.mp4', 'aaa');
    write('b.mp4', 'bad');
    await events(2, true);
    await new Promise((r) => setTimeout(r, 50));
    expect(existsSync(path.join(inDir, 'a.mp4'))).toBe(false);
    expect(existsSync(path.join(inDir, 'b.mp4'))).toBe(true);
    expect(readFileSync(path.join(outDir, 'a.mp4'), 'utf8')).toBe('aaa');
  });
});
