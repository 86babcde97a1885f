/**
 * Every key nullcam uses comes from one 256-bit master key: a random one from `nullcam keygen`, or one
 * derived from a passphrase with scrypt. Per-video keys come from the master by HKDF-SHA256 with the
 * video's fingerprint as salt, so a key for one track of one video opens nothing else. Only a
 * fingerprint of a key (HKDF output under its own label) is ever stored or shown. No I/O.
 */
import { hkdfSync, randomBytes, scrypt } from 'node:crypto';
import { NullcamError } from '../errors.js';

export const KEY_BYTES = 32;

/** scrypt parameters, stored next to what they protect (key file or recovery header). */
export interface ScryptParams {
  readonly name: 'scrypt';
  /** base64, 16 random bytes. */
  readonly salt: string;
  readonly N: number;
  readonly r: number;
  readonly p: number;
}

/** OWASP's scrypt recommendation (2^17, 8, 1): 128 MiB and about half a second per derivation. */
export const DEFAULT_SCRYPT = { N: 2 ** 17, r: 8, p: 1 } as const;
/** Bounds accepted when reading parameters, so a crafted file cannot ask for unbounded memory or time. */
const MAX_N = 2 ** 20, MAX_R = 32, MAX_P = 16;

export function newScryptParams(cost: Pick<ScryptParams, 'N' | 'r' | 'p'> = DEFAULT_SCRYPT): ScryptParams {
  return { name: 'scrypt', salt: randomBytes(16).toString('base64'), ...cost };
}

/** True when `v` is a ScryptParams nullcam would derive with. */
export function isScryptParams(v: unknown): v is ScryptParams {
  const s = v as ScryptParams;
  const pow2 = Number.isInteger(s?.N) && s.N >= 2 && s.N <= MAX_N && (s.N & (s.N - 1)) === 0;
  return s?.name === 'scrypt' && typeof s.salt === 'string' && Buffer.from(s.salt, 'base64').length >= 16 && pow2 &&
    Number.isInteger(s.r) && s.r >= 1 && s.r <= MAX_R && Number.isInteger(s.p) && s.p >= 1 && s.p <= MAX_P;
}

/** The 256-bit key a passphrase stands for under these parameters. */
export function deriveFromPassphrase(passphrase: string, params: ScryptParams): Promise<Buffer> {
  if (!isScryptParams(params)) return Promise.reject(new NullcamError('The stored scrypt parameters are invalid; the recovery data or key file is damaged.'));
  const { N, r, p } = params;
  return new Promise((resolve, reject) => {
    scrypt(passphrase.normalize('NFC'), Buffer.from(params.salt, 'base64'), KEY_BYTES, { N, r, p, maxmem: 256 * N * r + (1 << 20) }, (error, key) =>
      error ? reject(new NullcamError(`Cannot derive a key from the passphrase (${error.message}).`)) : resolve(key),
    );
  });
}

/** 16 hex digits that name a key without revealing it. */
export function keyFingerprint(key: Uint8Array): string {
  return hkdf(key, Buffer.alloc(0), 'nullcam/key-fingerprint/v1', 8).toString('hex');
}

/** The key of one track's records in one video. */
export function trackKey(master: Uint8Array, videoFingerprint: Uint8Array, trackId: number): Buffer {
  const id = Buffer.alloc(4);
  id.writeUInt32BE(trackId);
  return hkdf(master, videoFingerprint, Buffer.concat([Buffer.from('nullcam/track/v1:'), id]), KEY_BYTES);
}

/** The key of a video's end-of-data record (frame and record counts), which only the master opens. */
export function indexKey(master: Uint8Array, videoFingerprint: Uint8Array): Buffer {
  return hkdf(master, videoFingerprint, 'nullcam/index/v1', KEY_BYTES);
}

function hkdf(ikm: Uint8Array, salt: Uint8Array, info: string | Buffer, length: number): Buffer {
  return Buffer.from(hkdfSync('sha256', ikm, salt, info, length));
}
