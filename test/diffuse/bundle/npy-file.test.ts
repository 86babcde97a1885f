import { describe, expect, it } from 'vitest';
import { encodeNpyFloat32, readTensorFile } from '../../../src/diffuse/bundle/npy-file.js';

describe('tensor files', () => {
  const data = Float32Array.from({ length: 6 }, (_, i) => i - 2.5);

  it('reads back an .npy it wrote, with a 64-byte-aligned header as numpy writes', () => {
    const bytes = encodeNpyFloat32(data, [2, 3]);
    expect((bytes.length - data.byteLength) % 64).toBe(0);
    expect(new TextDecoder().decode(bytes.subarray(10, 80))).toContain("'shape': (2, 3)");
    expect(readTensorFile(bytes, 'float32', [2, 3], 'x.npy')).toEqual(data);
  });

  it('reads raw little-endian float32 with the manifest shape', () => {
    expect(readTensorFile(new Uint8Array(data.buffer), 'float32', [3, 2], 'x.f32')).toEqual(data);
  });

  it('reads an .npy from the middle of a larger buffer (as fs.readFile may hand it over)', () => {
    const bytes = encodeNpyFloat32(data, [6]);
    const pool = new Uint8Array(bytes.length + 3);
    pool.set(bytes, 3);
    expect(readTensorFile(pool.subarray(3), 'float32', [6], 'x.npy')).toEqual(data);
  });

  it.each([
    ['shape', encodeNpyFloat32(data, [2, 3]), 'float32', [3, 2], /x: \.npy shape is \[2,3\] but the manifest says \[3,2\]/],
    ['dtype', encodeNpyFloat32(data, [2, 3]), 'float16', [2, 3], /x: \.npy dtype is <f4 but the manifest says float16 \(<f2\)/],
    ['length', new Uint8Array(20), 'float32', [2, 3], /x: holds 20 data bytes but shape \[2,3\] float32 needs 24/],
  ] as const)('wrong %s: one line', (_name, bytes, dtype, shape, message) => {
    expect(() => readTensorFile(bytes, dtype, shape, 'x')).toThrow(message);
  });
});
