/**
 * Reads the secure mode's secret key, the HKDF input keying material of its sign-flip keys: a file of
 * exactly 32 bytes, or a nullcam key file (JSON with the 32 key bytes in base64 under "key", as
 * `nullcam keygen` writes). One small function, so the keys module's reader can replace it. Errors never
 * quote the file's contents.
 */
import { readFile } from 'node:fs/promises';
import { NullcamError } from '../errors.js';

export const SECRET_KEY_BYTES = 32;

/** @throws NullcamError when the file cannot be read or holds no 32-byte key */
export async function readSecretKeyFile(file: string): Promise<Uint8Array> {
  let data: Buffer;
  try {
    data = await readFile(file);
  } catch (err) {
    throw new NullcamError(`Cannot read the key file ${file} (${(err as NodeJS.ErrnoException).code ?? 'error'}); pass an existing key with --key-file.`, 2, { cause: err });
  }
  const key = data.length === SECRET_KEY_BYTES ? data : keyFileKey(data);
  if (!key) {
    throw new NullcamError(`The key file ${file} is neither ${SECRET_KEY_BYTES} raw bytes (it holds ${data.length}) nor a nullcam key file; make one with: head -c 32 /dev/urandom > KEYFILE`, 2);
  }
  return new Uint8Array(key);
}

/** The key of a nullcam JSON key file, or undefined when `data` is not one. */
function keyFileKey(data: Buffer): Buffer | undefined {
  try {
    const doc = JSON.parse(data.toString('utf8')) as { nullcam?: unknown; key?: unknown };
    if (doc?.nullcam !== 'key' || typeof doc.key !== 'string') return undefined;
    const key = Buffer.from(doc.key, 'base64');
    return key.length === SECRET_KEY_BYTES ? key : undefined;
  } catch {
    return undefined;
  }
}
