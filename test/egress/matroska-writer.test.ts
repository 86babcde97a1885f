import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { matroskaFrameHeader, matroskaHeader, vintSize } from '../../src/egress/matroska-writer.js';
import type { PixelFormat } from '../../src/frame.js';
import { knownFrames, tempDir } from '../fixtures/media.js';

const tmp = tempDir();
afterAll(() => tmp.remove());

describe('vintSize', () => {
  it.each([
    [0, [0x80]],
    [126, [0xfe]],
    [127, [0x40, 0x7f]], // 0xff would mean "unknown size"
    [16382, [0x7f, 0xfe]],
    [3110400, [0x10, 0x2f, 0x76, 0x00]], // one 1080p yuv420p frame
  ])('%d', (size, bytes) => expect([...vintSize(size)]).toEqual(bytes));
});

describe('matroska stream', () => {
  it('starts with the EBML magic and has a fixed-size header', () => {
    const header = matroskaHeader({ width: 16, height: 16, format: 'yuv420p' });
    expect([...header.subarray(0, 4)]).toEqual([0x1a, 0x45, 0xdf, 0xa3]);
    expect(header.length).toBe(135);
    expect(header.includes(Buffer.from('I420'))).toBe(true);
    expect(matroskaHeader({ width: 16, height: 16, format: 'rgb24' }).includes(Buffer.from([0x52, 0x47, 0x42, 0x18]))).toBe(true);
  });

  it('frame header: Cluster(size) Timestamp SimpleBlock(size, track 1, +0, keyframe)', () => {
    expect([...matroskaFrameHeader(40000, 10)]).toEqual([
      0x1f, 0x43, 0xb6, 0x75, 0x94, // Cluster, size 20 = 4 (Timestamp) + 6 (block header) + 10 (data)
      0xe7, 0x82, 0x9c, 0x40, // Timestamp 40000
      0xa3, 0x8e, 0x81, 0x00, 0x00, 0x80, // SimpleBlock, size 14, track 1, offset 0, keyframe
    ]);
    expect(() => matroskaFrameHeader(-1, 10)).toThrow(RangeError);
  });

  it.each<[PixelFormat, string]>([
    ['yuv420p', 'yuv420p'],
    ['rgb24', 'rgb24'],
  ])('ffmpeg reads %s frames back byte for byte with their µs timestamps', (format, pixFmt) => {
    const [w, h] = [33, 17];
    const frames = knownFrames(format, w, h, 5);
    const times = [0, 40000, 80000, 200000, 210001]; // uneven (VFR), one off the ms grid
    const parts = [matroskaHeader({ width: w, height: h, format })];
    frames.forEach((data, i) => parts.push(matroskaFrameHeader(times[i], data.length), data));
    const file = path.join(tmp.dir, `${format}.mkv`);
    writeFileSync(file, Buffer.concat(parts));

    const probe = JSON.parse(
      execFileSync('ffprobe', ['-v', 'error', '-show_entries', 'stream=codec_name,pix_fmt,width,height,time_base:frame=pts', '-of', 'json', file]).toString(),
    ) as { streams: Array<Record<string, unknown>>; frames: Array<{ pts: number }> };
    expect(probe.streams[0]).toMatchObject({ codec_name: 'rawvideo', pix_fmt: pixFmt, width: w, height: h, time_base: '1/1000000' });
    expect(probe.frames.map((f) => f.pts)).toEqual(times);

    const decoded = execFileSync('ffmpeg', ['-v', 'error', '-i', file, '-fps_mode', 'passthrough', '-f', 'rawvideo', '-pix_fmt', format, '-'], { maxBuffer: 1 << 24 });
    expect(decoded.equals(Buffer.concat(frames))).toBe(true);
  });
});
