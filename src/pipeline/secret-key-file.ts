/**
 * Reads the secure mode's secret key: a file of exactly 32 bytes (256 bits), used as HKDF input keying
 * material. Kept to one small function so the key-file format of `nullcam keygen` can replace it.
 */
import { readFile } from 'node:fs/promises';
import { NullcamError } from '../errors.js';

export const SECRET_KEY_BYTES = 32;

/** @throws NullcamError when the file cannot be read or is not exactly 32 bytes */
export async function readSecretKeyFile(file: string): Promise<Uint8Array> {
  let data: Buffer;
  try {
    data = await readFile(file);
  } catch (err) {
    throw new NullcamError(`Cannot read the key file ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}; pass an existing 32-byte key with --key-file.`, 2, { cause: err });
  }
  if (data.length !== SECRET_KEY_BYTES) {
    throw new NullcamError(`The key file ${file} holds ${data.length} bytes, not ${SECRET_KEY_BYTES}; make one with: head -c 32 /dev/urandom > ${file}`, 2);
  }
  return new Uint8Array(data);
}
