/**
 * The first bytes of a recovery file: magic, then a JSON header saying what the records belong to (a
 * random video id and the stream's shape), how they are protected (cipher, key fingerprint, scrypt
 * parameters for a passphrase) and how pixels are stored. The SHA-256 of these exact bytes is the video
 * fingerprint: it salts every derived key and is part of every record's AAD, so changing one header byte
 * makes every record fail authentication. Pure.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { PixelFormat, Rational } from '../frame.js';
import { isScryptParams, type ScryptParams } from './key-derivation.js';

export const RECOVERY_MAGIC = Buffer.from('NULLREC\n', 'latin1');
const MAX_HEADER_BYTES = 64 * 1024;

export interface RecoveryHeader {
  readonly format: 'nullcam-recovery';
  readonly version: 1;
  readonly cipher: 'aes-256-gcm';
  /** Region pixels: median-edge prediction residuals, raw deflate. */
  readonly compression: 'med+deflate';
  /** 16 random bytes (hex), new for every output. */
  readonly videoId: string;
  readonly video: {
    readonly width: number;
    readonly height: number;
    readonly format: PixelFormat;
    readonly timeBase: Rational;
  };
  readonly key: {
    /** keyFingerprint() of the master key. */
    readonly fingerprint: string;
    /** Where the master key came from: a key file, or a passphrase under these scrypt parameters. */
    readonly kdf: 'key-file' | ScryptParams;
  };
  /** "nullcam 0.1.0". */
  readonly createdBy: string;
}

export function newVideoId(): string {
  return randomBytes(16).toString('hex');
}

/** Magic, u32 BE length, JSON. */
export function encodeHeader(header: RecoveryHeader): Buffer {
  const json = Buffer.from(JSON.stringify(header), 'utf8');
  const length = Buffer.alloc(4);
  length.writeUInt32BE(json.length);
  return Buffer.concat([RECOVERY_MAGIC, length, json]);
}

/** Bytes before the JSON: what a reader needs to learn the header's length. */
export const HEADER_PREFIX_BYTES = RECOVERY_MAGIC.length + 4;

/**
 * @param prefix the first HEADER_PREFIX_BYTES of the file
 * @returns the JSON's length, or undefined when this is not a recovery file
 */
export function headerJsonLength(prefix: Buffer): number | undefined {
  if (prefix.length < HEADER_PREFIX_BYTES || !prefix.subarray(0, RECOVERY_MAGIC.length).equals(RECOVERY_MAGIC)) return undefined;
  const n = prefix.readUInt32BE(RECOVERY_MAGIC.length);
  return n > 0 && n <= MAX_HEADER_BYTES ? n : undefined;
}

/** @returns the header, or undefined when the JSON is not one this version writes */
export function parseHeaderJson(json: Buffer): RecoveryHeader | undefined {
  let h: RecoveryHeader;
  try {
    h = JSON.parse(json.toString('utf8')) as RecoveryHeader;
  } catch {
    return undefined;
  }
  const v = h?.video;
  const ok = h?.format === 'nullcam-recovery' && h.version === 1 && h.cipher === 'aes-256-gcm' && h.compression === 'med+deflate' &&
    typeof h.videoId === 'string' && /^[0-9a-f]{32}$/.test(h.videoId) &&
    Number.isInteger(v?.width) && v.width > 0 && Number.isInteger(v.height) && v.height > 0 && (v.format === 'yuv420p' || v.format === 'rgb24') &&
    Number.isInteger(v.timeBase?.num) && Number.isInteger(v.timeBase?.den) && v.timeBase.num > 0 && v.timeBase.den > 0 &&
    typeof h.key?.fingerprint === 'string' && (h.key.kdf === 'key-file' || isScryptParams(h.key.kdf)) && typeof h.createdBy === 'string';
  return ok ? h : undefined;
}

/** SHA-256 of the header's bytes as written. */
export function videoFingerprint(headerBytes: Buffer): Buffer {
  return createHash('sha256').update(headerBytes).digest();
}

/** Where a video's recovery data lives: next to it, `<video>.nullrec`. */
export function recoveryPathFor(video: string): string {
  return `${video}.nullrec`;
}
