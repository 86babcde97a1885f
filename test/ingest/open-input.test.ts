import { chmodSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NullcamError } from '../../src/errors.js';
import { locateFfmpeg, type FfmpegBinary } from '../../src/ingest/ffmpeg-binary.js';
import { fileError, openInput } from '../../src/ingest/open-input.js';
import { ffmpeg, media, tempDir } from '../fixtures/media.js';

const tmp = tempDir();
let system: FfmpegBinary;
let npm: FfmpegBinary;

beforeAll(async () => {
  system = await locateFfmpeg({ searchPath: '/usr/bin' });
  npm = await locateFfmpeg({ searchPath: '' });
});
afterAll(() => tmp.remove());

describe('openInput', () => {
  it('probes interview.mp4 with ffprobe', async () => {
    const input = await openInput(media('interview.mp4'), { binary: system });
    expect(input.source).toBe(media('interview.mp4'));
    expect(input.info.video).toMatchObject({ index: 0, codec: 'h264', width: 640, height: 480, timeBase: { num: 1, den: 12800 }, frameRate: { num: 25, den: 1 }, frameCount: 200 });
    expect(input.info.streams.map((s) => `${s.kind}:${s.codec}`)).toEqual(['video:h264', 'audio:aac']);
  });

  it('probes with `ffmpeg -i` when there is no ffprobe (npm build)', async () => {
    const input = await openInput(media('Megamind.avi'), { binary: npm });
    expect(input.info.video).toMatchObject({ codec: 'mpeg4', width: 720, height: 528 });
    expect(input.info.streams.map((s) => `${s.kind}:${s.codec}`)).toEqual(['video:mpeg4', 'audio:ac3']);
  });

  it('resolves relative paths and file: URLs', async () => {
    const input = await openInput('interview.mp4', { binary: system, cwd: path.dirname(media('interview.mp4')) });
    expect(input.source).toBe(media('interview.mp4'));
    expect((await openInput(`file://${media('interview.mp4')}`, { binary: system })).source).toBe(media('interview.mp4'));
  });

  describe('bad inputs: one line saying what to do', () => {
    it('missing file', async () => {
      const file = path.join(tmp.dir, 'nope.mp4');
      await expect(openInput(file, { binary: system })).rejects.toThrow(new NullcamError(`Input not found: ${file}; check the path.`));
    });

    it('a directory', async () => {
      await expect(openInput(tmp.dir, { binary: system })).rejects.toThrow(`${tmp.dir} is a directory; pass a video file.`);
    });

    it('empty file', async () => {
      const file = path.join(tmp.dir, 'empty.mp4');
      writeFileSync(file, '');
      await expect(openInput(file, { binary: system })).rejects.toThrow(`${file} is empty (0 bytes); re-export or re-download the video.`);
    });

    it.skipIf(process.getuid?.() === 0)('unreadable file (permissions; root reads everything)', async () => {
      const file = path.join(tmp.dir, 'secret.mp4');
      writeFileSync(file, 'x');
      chmodSync(file, 0o000);
      await expect(openInput(file, { binary: system })).rejects.toThrow(
        `Cannot read ${file}: permission denied; make it readable (chmod a+r) or run as its owner.`,
      );
    });

    it('permission error message (mapped from the errno)', () => {
      const error = Object.assign(new Error('EACCES: permission denied'), { code: 'EACCES' });
      expect(fileError('/v/a.mp4', error).message).toBe('Cannot read /v/a.mp4: permission denied; make it readable (chmod a+r) or run as its owner.');
    });

    it.each([
      ['system', () => system],
      ['npm', () => npm],
    ])('not a video (%s ffmpeg)', async (_name, binary) => {
      const file = path.join(tmp.dir, 'notes.txt');
      writeFileSync(file, 'hello, this is not a video\n');
      await expect(openInput(file, { binary: binary() })).rejects.toThrow(new RegExp(`^${file} is not a video ffmpeg can read \\(.+\\); check the file is complete, or convert it\\.$`));
    });

    it('no video stream', async () => {
      const file = path.join(tmp.dir, 'tone.m4a');
      ffmpeg(['-f', 'lavfi', '-i', 'sine=d=0.2', file]);
      await expect(openInput(file, { binary: system })).rejects.toThrow(`${file} has no video stream (found: audio aac); pass a video file or stream.`);
    });

    it('dead URL, credentials redacted', async () => {
      const error = await openInput('http://admin:hunter2@127.0.0.1:9/cam.mp4', { binary: system }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(NullcamError);
      expect((error as Error).message).toBe(
        'Cannot open http://admin:***@127.0.0.1:9/cam.mp4: Connection refused; check the URL, the credentials and that the server is reachable.',
      );
    });

    it('dead URL through the npm build', async () => {
      await expect(openInput('rtsp://u:pw@127.0.0.1:9/x', { binary: npm })).rejects.toThrow(
        'Cannot open rtsp://u:***@127.0.0.1:9/x: Connection refused; check the URL, the credentials and that the server is reachable.',
      );
    });
  });
});
