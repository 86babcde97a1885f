/**
 * Key files: small JSON documents, mode 0600, never overwritten. A master key (from keygen, random or
 * from a passphrase) opens every record of every video it protected; a track key (from `keys export`)
 * opens one track of one video. Errors about a key file never quote its contents.
 */
import { open, readFile, stat, unlink } from 'node:fs/promises';
import { NullcamError } from '../errors.js';
import { isScryptParams, KEY_BYTES, keyFingerprint, type ScryptParams } from './key-derivation.js';

export type KeyFile =
  | { readonly kind: 'master'; readonly key: Buffer; readonly kdf?: ScryptParams }
  | { readonly kind: 'track'; readonly key: Buffer; readonly videoId: string; readonly track: number };

interface KeyFileJson {
  nullcam: 'key';
  version: 1;
  kind: 'master' | 'track';
  /** base64 of the 32 key bytes. */
  key: string;
  /** keyFingerprint(key), so a person can tell key files apart without opening them in nullcam. */
  fingerprint: string;
  kdf?: ScryptParams;
  videoId?: string;
  track?: number;
}

/**
 * Creates `file` with mode 0600 and writes the key in one write; refuses an existing file. No temp file:
 * the key is written nowhere else.
 */
export async function writeKeyFile(file: string, k: KeyFile): Promise<void> {
  const doc: KeyFileJson = {
    nullcam: 'key',
    version: 1,
    kind: k.kind,
    key: k.key.toString('base64'),
    fingerprint: keyFingerprint(k.key),
    ...(k.kind === 'master' && k.kdf ? { kdf: k.kdf } : {}),
    ...(k.kind === 'track' ? { videoId: k.videoId, track: k.track } : {}),
  };
  let handle;
  try {
    handle = await open(file, 'wx', 0o600);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') throw new NullcamError(`${file} already exists; nullcam never overwrites a key file: choose another name.`, 2);
    throw new NullcamError(`Cannot create ${file} (${code ?? 'error'}); choose a writable directory.`, 2);
  }
  try {
    await handle.writeFile(`${JSON.stringify(doc, null, 2)}\n`);
    await handle.sync();
    await handle.close();
  } catch (error) {
    await handle.close().catch(() => {});
    await unlink(file).catch(() => {});
    throw new NullcamError(`Cannot write ${file} (${(error as NodeJS.ErrnoException).code ?? 'error'}); check the free disk space.`, 1);
  }
}

/**
 * Reads a key file. Warns (through `warn`) when other users may read it.
 * @throws NullcamError (one line, no key material) when it is missing, unreadable, or not a key file
 */
export async function readKeyFile(file: string, warn: (message: string) => void): Promise<KeyFile> {
  let text: string;
  try {
    const s = await stat(file);
    if (!s.isFile()) throw Object.assign(new Error(), { code: 'EISDIR' });
    if ((s.mode & 0o077) !== 0) warn(`key file ${file} can be read by other users (mode ${(s.mode & 0o777).toString(8)}); run: chmod 600 ${file}`);
    text = await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new NullcamError(`Key file ${file} not found; check the path, or create one with: nullcam keygen -o ${file}`, 1);
    if (code === 'EACCES' || code === 'EPERM') throw new NullcamError(`Cannot read key file ${file}: permission denied; run nullcam as the key's owner.`, 1);
    if (code === 'EISDIR') throw new NullcamError(`Key file ${file} is not a file; pass the file nullcam keygen wrote.`, 1);
    throw new NullcamError(`Cannot read key file ${file} (${code ?? 'error'}).`, 1);
  }
  const parsed = parseKeyFile(text);
  if (!parsed) throw new NullcamError(`${file} is not a nullcam key file (expected what nullcam keygen or nullcam keys export writes).`, 1);
  return parsed;
}

/** @returns the key, or undefined for anything that is not a well-formed key file */
export function parseKeyFile(text: string): KeyFile | undefined {
  let doc: KeyFileJson;
  try {
    doc = JSON.parse(text) as KeyFileJson;
  } catch {
    return undefined;
  }
  if (doc?.nullcam !== 'key' || doc.version !== 1 || typeof doc.key !== 'string') return undefined;
  const key = Buffer.from(doc.key, 'base64');
  if (key.length !== KEY_BYTES || key.toString('base64') !== doc.key) return undefined;
  if (doc.kind === 'master') {
    if (doc.kdf !== undefined && !isScryptParams(doc.kdf)) return undefined;
    return { kind: 'master', key, ...(doc.kdf ? { kdf: doc.kdf } : {}) };
  }
  if (doc.kind === 'track' && typeof doc.videoId === 'string' && Number.isInteger(doc.track) && doc.track! >= 0) {
    return { kind: 'track', key, videoId: doc.videoId, track: doc.track! };
  }
  return undefined;
}
