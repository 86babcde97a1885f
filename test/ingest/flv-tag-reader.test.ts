/** FLV tag splitting: header check, tags across chunk boundaries, payloads copied, ms unwrapped past the timestamp wrap. */
import { describe, expect, it } from 'vitest';
import { FlvTagReader, FlvTagType } from '../../src/ingest/flv-tag-reader.js';
import { chunks, flvBytes } from '../fixtures/flv.js';

const bytes = (n: number, seed: number): Buffer => Buffer.from(Array.from({ length: n }, (_, i) => (i * 31 + seed) & 0xff));

describe('FlvTagReader', () => {
  const tags = [
    { type: 18, ms: 0, data: bytes(40, 1) },
    { type: FlvTagType.VIDEO, ms: 0, data: bytes(300, 2) },
    { type: FlvTagType.AUDIO, ms: 21, data: bytes(7, 3) },
    { type: FlvTagType.VIDEO, ms: 2 ** 24 + 40, data: bytes(1, 4) }, // uses the extended byte
  ];

  it('gives every tag once complete, whatever the chunking', () => {
    for (const size of [1, 7, 13, 1000]) {
      const reader = new FlvTagReader('test output');
      expect(chunks(flvBytes(tags), size).flatMap((c) => reader.push(c))).toEqual(tags);
    }
  });

  it('copies each payload out of the chunk it arrived in', () => {
    const chunk = flvBytes(tags);
    const [, video] = new FlvTagReader('test output').push(chunk);
    chunk.fill(0);
    expect(video.data).toEqual(tags[1].data);
  });

  it('counts on past the wrap of the 31-bit timestamps ffmpeg writes, audio and video a little out of order', () => {
    const wrap = 2 ** 31;
    const written = [wrap - 40, wrap - 20, wrap - 30, 0, wrap - 10, 20, 2 ** 30, wrap - 5, 10];
    const reader = new FlvTagReader('test output');
    const out = reader.push(flvBytes(written.map((ms) => ({ type: FlvTagType.AUDIO, ms, data: bytes(1, 0) }))));
    expect(out.map((t) => t.ms)).toEqual([wrap - 40, wrap - 20, wrap - 30, wrap, wrap - 10, wrap + 20, wrap + 2 ** 30, 2 * wrap - 5, 2 * wrap + 10]);
  });

  it('reads a writer that uses all 32 bits the same way', () => {
    const reader = new FlvTagReader('test output');
    const written = [2 ** 31 - 1, 2 ** 31 + 5, 2 ** 31 + 2 ** 30, 2 ** 32 - 1, 3];
    const out = reader.push(flvBytes(written.map((ms) => ({ type: FlvTagType.AUDIO, ms, data: bytes(1, 0) }))));
    expect(out.map((t) => t.ms)).toEqual([...written.slice(0, 4), 2 ** 32 + 3]);
  });

  it('says which stream is not FLV', () => {
    expect(() => new FlvTagReader('audio output').push(Buffer.from('RIFF\0\0\0\0WAVEfmt '))).toThrow('audio output is not FLV');
  });
});
