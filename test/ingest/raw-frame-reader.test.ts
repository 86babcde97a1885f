import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { RawFrameReader } from '../../src/ingest/raw-frame-reader.js';

describe('RawFrameReader', () => {
  it('reassembles frames from arbitrary chunks and returns null at a clean end', async () => {
    const stream = new PassThrough();
    const reader = new RawFrameReader(stream);
    const bytes = Buffer.from(Array.from({ length: 30 }, (_, i) => i));
    stream.write(bytes.subarray(0, 4));
    const first = reader.read(10);
    stream.write(bytes.subarray(4, 17));
    stream.end(bytes.subarray(17));
    expect([...(await first)!]).toEqual([...bytes.subarray(0, 10)]);
    expect([...(await reader.read(10))!]).toEqual([...bytes.subarray(10, 20)]);
    expect([...(await reader.read(10))!]).toEqual([...bytes.subarray(20, 30)]);
    expect(await reader.read(10)).toBeNull();
  });

  it('rejects a frame cut short by the end of the stream', async () => {
    const stream = new PassThrough();
    const reader = new RawFrameReader(stream);
    stream.end(Buffer.alloc(15));
    expect(await reader.read(10)).toHaveLength(10);
    await expect(reader.read(10)).rejects.toThrow('stream ended inside a frame: got 5 of 10 bytes');
  });

  it('keeps the stream paused between reads: the writer sees backpressure and nothing is dropped', async () => {
    const stream = new PassThrough({ highWaterMark: 1024 });
    const reader = new RawFrameReader(stream);
    stream.write(Buffer.alloc(512, 1));
    expect(await reader.read(512)).toHaveLength(512);
    // No read pending now. A flowing stream would accept every write and hand the data to nobody.
    let accepted = 0;
    for (let i = 0; i < 1000 && stream.write(Buffer.alloc(256, i & 0xff)); i++) accepted++;
    expect(accepted).toBeLessThan(16);
    const next = await reader.read(256);
    expect(next![0]).toBe(0);
  });

  it('a read pending when the stream is destroyed resolves null', async () => {
    const stream = new PassThrough();
    const reader = new RawFrameReader(stream);
    const pending = reader.read(10);
    stream.destroy();
    expect(await pending).toBeNull();
  });
});
