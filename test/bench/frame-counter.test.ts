import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { COUNTER_LAYOUT, counterCrop, counterFilter, counterWidth, readCounter } from '../../src/bench/frame-counter.js';

describe('frame counter', () => {
  it('reads back every frame number after an x264 encode and decode', () => {
    const frames = 70;
    const encoded = execFileSync('ffmpeg', ['-hide_banner', '-v', 'error', '-f', 'lavfi', '-i', 'testsrc2=s=640x360:r=25', '-frames:v', String(frames), '-vf', counterFilter(), '-c:v', 'libx264', '-preset', 'ultrafast', '-crf', '30', '-f', 'h264', '-'], { maxBuffer: 64 << 20 });
    const gray = execFileSync('ffmpeg', ['-hide_banner', '-v', 'error', '-f', 'h264', '-i', '-', '-vf', `${counterCrop()},format=gray`, '-f', 'rawvideo', '-'], { input: encoded, maxBuffer: 64 << 20 });
    const size = counterWidth() * COUNTER_LAYOUT.block;
    const read = Array.from({ length: gray.length / size }, (_, i) => readCounter(gray.subarray(i * size, (i + 1) * size)));
    expect(read).toEqual([...Array(frames).keys()]);
  });

  it('refuses a strip that is not a counter: grey, or a black (covered) frame', () => {
    const size = counterWidth() * COUNTER_LAYOUT.block;
    expect(readCounter(Buffer.alloc(size, 120))).toBeNull();
    expect(readCounter(Buffer.alloc(size, 16))).toBeNull();
  });
});
