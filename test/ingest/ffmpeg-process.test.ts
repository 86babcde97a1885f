import { afterAll, describe, expect, it } from 'vitest';
import { childEnv, spawnFfmpeg } from '../../src/ingest/ffmpeg-process.js';
import { fakeFfmpeg, isRunning, tempDir, waitFor } from '../fixtures/media.js';

const tmp = tempDir();
afterAll(() => tmp.remove());

describe('spawnFfmpeg', () => {
  it('collects stderr lines and the exit code', async () => {
    const script = fakeFfmpeg(tmp.dir, 'fails.sh', 'echo "line one" >&2; printf "partial last" >&2; exit 3');
    const lines: string[] = [];
    const proc = spawnFfmpeg(script, ['-i', 'x'], { stdin: 'ignore', onStderrLine: (l) => lines.push(l) });
    const exit = await proc.exited;
    expect(exit).toEqual({ code: 3, signal: null });
    expect(lines).toEqual(['line one', 'partial last']);
    expect(proc.failure(exit)).toMatchObject({ argv: [script, '-i', 'x'], code: 3, signal: null, stderrTail: ['line one', 'partial last'] });
  });

  it('reports a binary that cannot start through `exited`, without throwing', async () => {
    const proc = spawnFfmpeg('/nonexistent/ffmpeg', [], { stdin: 'ignore' });
    const exit = await proc.exited;
    expect(exit.code).toBeNull();
    expect(exit.spawnError?.message).toMatch(/ENOENT/);
  });

  it('stop() ends a cooperative process with SIGTERM', async () => {
    const script = fakeFfmpeg(tmp.dir, 'sleeps.sh', 'exec sleep 30');
    const proc = spawnFfmpeg(script, [], { stdin: 'ignore', killTimeoutMs: 5000 });
    const started = Date.now();
    expect(await proc.stop()).toEqual({ code: null, signal: 'SIGTERM' });
    expect(Date.now() - started).toBeLessThan(2000);
    expect(isRunning(proc.pid!)).toBe(false);
  });

  it('stop() force-kills a process that ignores SIGTERM', async () => {
    const script = fakeFfmpeg(tmp.dir, 'stubborn.sh', "trap '' TERM\nwhile :; do sleep 0.05; done");
    const proc = spawnFfmpeg(script, [], { stdin: 'ignore', killTimeoutMs: 300 });
    await new Promise((r) => setTimeout(r, 100)); // let the shell install its trap
    const stopping = proc.stop();
    await new Promise((r) => setTimeout(r, 150));
    expect(isRunning(proc.pid!)).toBe(true); // SIGTERM ignored
    expect(await stopping).toEqual({ code: null, signal: 'SIGKILL' });
    expect(await waitFor(() => !isRunning(proc.pid!), 1000)).toBe(true);
  });
});

describe('childEnv', () => {
  it('keeps the environment but the passphrase, which ffmpeg must never see', () => {
    expect(childEnv({ PATH: '/usr/bin', NULLCAM_PASSPHRASE: 'hunter2', LANG: 'C' })).toEqual({ PATH: '/usr/bin', LANG: 'C' });
  });
});
