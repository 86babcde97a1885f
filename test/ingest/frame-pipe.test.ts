import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { FramePipe } from '../../src/ingest/frame-pipe.js';

/** A child writing `args`' output into the pipe, as ffmpeg writes frames; our write end closed as in spawnFfmpeg. */
function writer(pipe: FramePipe, command: string, args: string[]) {
  const child = spawn(command, args, { stdio: ['ignore', pipe.writeFd, 'inherit'] });
  pipe.closeWriteEnd();
  let exited = false;
  const done = once(child, 'exit').then(([code]) => {
    exited = true;
    return code as number;
  });
  return { done, running: () => !exited };
}

describe('FramePipe', () => {
  it('reassembles frames from arbitrary writes and returns null at a clean end', async () => {
    const pipe = new FramePipe();
    const bytes = Buffer.from(Array.from({ length: 30 }, (_, i) => i));
    writeSync(pipe.writeFd, bytes.subarray(0, 4));
    const first = pipe.read(10);
    writeSync(pipe.writeFd, bytes.subarray(4, 17));
    writeSync(pipe.writeFd, bytes.subarray(17));
    pipe.closeWriteEnd();
    expect([...(await first)!]).toEqual([...bytes.subarray(0, 10)]);
    expect([...(await pipe.read(10))!]).toEqual([...bytes.subarray(10, 20)]);
    expect([...(await pipe.read(10))!]).toEqual([...bytes.subarray(20, 30)]);
    expect(await pipe.read(10)).toBeNull();
  });

  it('rejects a frame cut short by the end of the pipe', async () => {
    const pipe = new FramePipe();
    writeSync(pipe.writeFd, Buffer.alloc(15));
    pipe.closeWriteEnd();
    expect(await pipe.read(10)).toHaveLength(10);
    await expect(pipe.read(10)).rejects.toThrow('stream ended inside a frame: got 5 of 10 bytes');
  });

  it('rejects a second read while one is pending', async () => {
    const pipe = new FramePipe();
    const pending = pipe.read(10);
    await expect(pipe.read(10)).rejects.toThrow('while a read is pending');
    pipe.destroy();
    expect(await pending).toBeNull();
  });

  it('hands over frames far larger than one pipe read byte for byte (a 720p RGB frame is ~42 reads)', async () => {
    const size = 1280 * 720 * 3;
    const dir = mkdtempSync(path.join(tmpdir(), 'nullcam-test-'));
    const file = path.join(dir, 'frames.raw');
    const content = randomBytes(size * 3);
    writeFileSync(file, content);
    const pipe = new FramePipe();
    const child = writer(pipe, 'cat', [file]);
    const frames: Buffer[] = [];
    for (let frame = await pipe.read(size); frame; frame = await pipe.read(size)) frames.push(frame);
    expect(frames).toHaveLength(3);
    expect(Buffer.concat(frames).equals(content)).toBe(true);
    expect(await child.done).toBe(0);
    rmSync(dir, { recursive: true });
  });

  it('stops reading between reads: the writer blocks instead of its output being buffered or lost', async () => {
    const frame = 64 * 1024;
    const pipe = new FramePipe();
    const child = writer(pipe, 'head', ['-c', String(frame * 64), '/dev/zero']);
    expect(await pipe.read(frame)).toHaveLength(frame);
    // 4 MiB of output, of which one frame and one pipe's worth (64 KiB) can be in flight: head must be blocked.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(child.running()).toBe(true);
    let count = 1;
    while (await pipe.read(frame)) count++;
    expect(count).toBe(64);
    expect(await child.done).toBe(0);
  });
});
