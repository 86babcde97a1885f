/**
 * Constant tensors of a bundle (the empty-prompt text context): NumPy .npy (what the export script's
 * numpy.save writes; little-endian float32 or float16, C order) or raw little-endian bytes whose shape the
 * manifest gives. Pure: bytes in, floats out.
 */
import { NullcamError } from '../../errors.js';
import { float16ToFloat32 } from './float16.js';

const MAGIC = '\x93NUMPY';

/**
 * @param bytes the file's content
 * @param dtype the manifest's dtype
 * @param shape the manifest's shape; an .npy header must agree
 * @param source the file, for errors
 * @returns the values as float32
 * @throws NullcamError (one line) on a header, dtype, shape or length mismatch
 */
export function readTensorFile(bytes: Uint8Array, dtype: 'float32' | 'float16', shape: readonly number[], source: string): Float32Array {
  let body = bytes;
  if (String.fromCharCode(...bytes.subarray(0, 6)) === MAGIC) {
    const major = bytes[6];
    const headerLen = major === 1 ? bytes[8] | (bytes[9] << 8) : new DataView(bytes.buffer, bytes.byteOffset + 8, 4).getUint32(0, true);
    const start = major === 1 ? 10 : 12;
    const header = new TextDecoder().decode(bytes.subarray(start, start + headerLen));
    const descr = /'descr':\s*'([^']*)'/.exec(header)?.[1];
    const fortran = /'fortran_order':\s*(True|False)/.exec(header)?.[1];
    const dims = /'shape':\s*\(([^)]*)\)/.exec(header)?.[1];
    const want = dtype === 'float32' ? '<f4' : '<f2';
    if (descr !== want) throw new NullcamError(`${source}: .npy dtype is ${descr ?? 'unreadable'} but the manifest says ${dtype} (${want})`, 2);
    if (fortran !== 'False') throw new NullcamError(`${source}: .npy must be C order (fortran_order False); save it with numpy.ascontiguousarray`, 2);
    const found = (dims ?? '').split(',').map((d) => d.trim()).filter((d) => d !== '').map(Number);
    if (found.join(',') !== shape.join(',')) throw new NullcamError(`${source}: .npy shape is [${found.join(',')}] but the manifest says [${shape.join(',')}]`, 2);
    body = bytes.subarray(start + headerLen);
  }
  const count = shape.reduce((a, b) => a * b, 1);
  const width = dtype === 'float32' ? 4 : 2;
  if (body.byteLength !== count * width) throw new NullcamError(`${source}: holds ${body.byteLength} data bytes but shape [${shape.join(',')}] ${dtype} needs ${count * width}`, 2);
  // A copy, aligned for Float32Array (Buffer.slice would share memory at the buffer pool offset).
  const copy = new Uint8Array(body);
  return dtype === 'float32' ? new Float32Array(copy.buffer, 0, count) : float16ToFloat32(new Uint16Array(copy.buffer, 0, count));
}

/** A version-1 .npy of little-endian float32 in C order. */
export function encodeNpyFloat32(data: Float32Array, shape: readonly number[]): Uint8Array {
  const dims = shape.length === 1 ? `${shape[0]},` : shape.join(', ');
  let header = `{'descr': '<f4', 'fortran_order': False, 'shape': (${dims}), }`;
  // The magic, version, length and header together are padded to a multiple of 64, ending in a newline.
  const total = Math.ceil((10 + header.length + 1) / 64) * 64;
  header = header.padEnd(total - 10 - 1, ' ') + '\n';
  const out = new Uint8Array(total + data.byteLength);
  out.set([0x93, ...new TextEncoder().encode('NUMPY'), 1, 0, header.length & 0xff, header.length >> 8], 0);
  out.set(new TextEncoder().encode(header), 10);
  out.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), total);
  return out;
}
