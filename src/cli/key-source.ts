/**
 * --key-file / --passphrase → keys, for the commands that write or read recovery data. Every way a key
 * can be wrong ends in one line ("key does not match this video"), before any output exists and before
 * anything is decrypted.
 */
import { NullcamError } from '../errors.js';
import { deriveFromPassphrase, keyFingerprint, newScryptParams, trackKey, type ScryptParams } from '../keys/key-derivation.js';
import { readKeyFile } from '../keys/key-file.js';
import type { RecoveryFile } from '../keys/recovery-reader.js';
import { masterKeyring, trackKeyring, type RecoveryKeyring } from '../keys/recovery-keyring.js';
import { openRecord, RecordKind } from '../keys/recovery-record.js';
import { readPassphrase } from './read-passphrase.js';

export interface KeySource {
  readonly keyFile?: string;
  readonly passphrase?: boolean;
}

export const KEY_MISMATCH = 'key does not match this video';

/** The key source parsed options name (--key-file, --passphrase). */
export function keySourceFrom(values: { readonly 'key-file'?: string; readonly passphrase?: boolean }): KeySource {
  return { ...(values['key-file'] !== undefined ? { keyFile: values['key-file'] } : {}), ...(values.passphrase ? { passphrase: true } : {}) };
}

/** @throws NullcamError unless exactly one of --key-file, --passphrase was given */
export function checkKeySource(source: KeySource, command: string, required: boolean): void {
  if (source.keyFile !== undefined && source.passphrase) throw new NullcamError(`Pass either --key-file or --passphrase, not both.`, 2);
  if (required && source.keyFile === undefined && !source.passphrase) {
    throw new NullcamError(`${command} needs the key: --key-file FILE (from nullcam keygen) or --passphrase.`, 2);
  }
}

/** The master key a new recovery file is sealed with, and how it was made. */
export async function masterKeyForWriting(source: KeySource, env: NodeJS.ProcessEnv, warn: (m: string) => void): Promise<{ key: Buffer; kdf: 'key-file' | ScryptParams }> {
  if (source.keyFile !== undefined) {
    const k = await readKeyFile(source.keyFile, warn);
    if (k.kind !== 'master') throw new NullcamError(`${source.keyFile} is a per-track key; protecting a new video needs a master key (nullcam keygen -o FILE).`, 2);
    return { key: k.key, kdf: 'key-file' };
  }
  // A fresh salt per output: the same passphrase gives every video a different key.
  const kdf = newScryptParams();
  return { key: await deriveFromPassphrase(await readPassphrase(env, true), kdf), kdf };
}

/** The master key for an existing recovery file, checked against its fingerprint. */
export async function masterKeyFor(file: RecoveryFile, source: KeySource, env: NodeJS.ProcessEnv, warn: (m: string) => void): Promise<Buffer> {
  const stored = file.header.key;
  let key: Buffer;
  if (source.keyFile !== undefined) {
    const k = await readKeyFile(source.keyFile, warn);
    if (k.kind !== 'master') throw new NullcamError(`${source.keyFile} is a per-track key; this needs the master key.`, 2);
    key = k.key;
  } else {
    if (stored.kdf === 'key-file') throw new NullcamError('This video was protected with a key file, not a passphrase; pass --key-file.', 1);
    key = await deriveFromPassphrase(await readPassphrase(env), stored.kdf);
  }
  if (keyFingerprint(key) !== stored.fingerprint) throw new NullcamError(source.keyFile !== undefined ? KEY_MISMATCH : 'passphrase does not match this video', 1);
  return key;
}

/**
 * The keyring a reveal uses: the master's (all tracks, or `track`), or a per-track key's. A per-track key is
 * tried on its track's first record; it may be pointed at another track with `track`, where it fails.
 */
export async function unlockRecovery(file: RecoveryFile, source: KeySource, track: number | undefined, env: NodeJS.ProcessEnv, warn: (m: string) => void): Promise<RecoveryKeyring> {
  if (source.keyFile !== undefined) {
    const k = await readKeyFile(source.keyFile, warn);
    if (k.kind === 'track') {
      if (k.videoId !== file.header.videoId) throw new NullcamError(KEY_MISMATCH, 1);
      const id = track ?? k.track;
      if (!(await opensFirstRecord(file, id, k.key))) throw new NullcamError(KEY_MISMATCH, 1);
      return trackKeyring(id, k.key);
    }
  }
  return masterKeyring(await masterKeyFor(file, source, env, warn), file.fingerprint, track);
}

/** The per-track key `keys export` hands out. */
export function exportTrackKey(file: RecoveryFile, master: Buffer, track: number): Buffer {
  return trackKey(master, file.fingerprint, track);
}

/**
 * Whether `key` authenticates one of the first records of `trackId` (regions or its end record); three
 * failures in a row, and it is the wrong key rather than a damaged record.
 * @throws NullcamError when the file has no record of that track
 */
async function opensFirstRecord(file: RecoveryFile, trackId: number, key: Buffer): Promise<boolean> {
  let tried = 0;
  for await (const read of file.records()) {
    if (!('sealed' in read)) break;
    const { header } = read.sealed;
    if (header.trackId !== trackId || (header.kind !== RecordKind.region && header.kind !== RecordKind.trackEnd)) continue;
    try {
      openRecord(key, file.fingerprint, read.sealed);
      return true;
    } catch {
      if (++tried === 3) return false;
    }
  }
  if (tried > 0) return false;
  throw new NullcamError(`This video has no recovery records for track ${trackId}; nullcam inspect lists its tracks.`, 1);
}
