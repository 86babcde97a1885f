/**
 * One record of a recovery file, sealed with AES-256-GCM:
 *
 *   u32 BE  length of everything after this field
 *   u8      kind (region, track end, end)
 *   u32 BE  seq: position of the record in the file, from 0
 *   u32 BE  track id (END_TRACK for the end record)
 *   u32 BE  frame index the record belongs to
 *   i64 BE  that frame's timestamp in µs after the video's first frame (players and remuxers shift a
 *           video's start, e.g. to where its audio starts; they keep the distances)
 *   …       ciphertext, then the 16-byte tag
 *
 * The AAD is the video fingerprint followed by the length and the clear fields, so a record opens only in
 * its own video, at its own position, frame, timestamp and track. The nonce is (kind, seq): unique within
 * a video, and every video has its own keys. Pure.
 */
import { createCipheriv, createDecipheriv } from 'node:crypto';

export const RecordKind = { region: 1, trackEnd: 2, end: 3 } as const;
export type RecordKind = (typeof RecordKind)[keyof typeof RecordKind];

/** Track id of the end record, which belongs to no track. */
export const END_TRACK = 0xffffffff;
/** Bytes before the ciphertext: the length field and the clear fields. */
export const RECORD_HEAD_BYTES = 4 + 1 + 4 + 4 + 4 + 8;
const TAG_BYTES = 16;
/** A record larger than this is damage, not data (a 4K frame's three planes are 12 MB). */
export const MAX_RECORD_BYTES = 64 << 20;

export interface RecordHeader {
  readonly kind: RecordKind;
  readonly seq: number;
  readonly trackId: number;
  readonly frameIndex: number;
  readonly ptsUs: number;
}

/** A record as read from a file: the clear fields, their bytes (for the AAD) and the sealed body. */
export interface SealedRecord {
  readonly header: RecordHeader;
  readonly head: Buffer;
  readonly body: Buffer;
}

/** Thrown when a record does not authenticate: wrong key, or changed bytes. Says nothing else, on purpose. */
export class RecordAuthError extends Error {
  override readonly name = 'RecordAuthError';
}

export function sealRecord(key: Uint8Array, fingerprint: Uint8Array, header: RecordHeader, plaintext: Uint8Array): Buffer {
  const head = encodeRecordHead(header, plaintext.length + TAG_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, nonce(header));
  cipher.setAAD(Buffer.concat([fingerprint, head]));
  return Buffer.concat([head, cipher.update(plaintext), cipher.final(), cipher.getAuthTag()]);
}

/** @throws RecordAuthError when the record was not sealed with this key for this video and these fields */
export function openRecord(key: Uint8Array, fingerprint: Uint8Array, record: SealedRecord): Buffer {
  const { body } = record;
  if (body.length < TAG_BYTES) throw new RecordAuthError('record too short');
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, nonce(record.header));
    decipher.setAAD(Buffer.concat([fingerprint, record.head]));
    decipher.setAuthTag(body.subarray(body.length - TAG_BYTES));
    return Buffer.concat([decipher.update(body.subarray(0, body.length - TAG_BYTES)), decipher.final()]);
  } catch (error) {
    throw new RecordAuthError('authentication failed', { cause: error });
  }
}

/** @returns the length field's value (bytes after it) */
export function recordBodyLength(head: Buffer): number {
  return head.readUInt32BE(0);
}

/** @returns the clear fields, or undefined when they cannot be a record (unknown kind, impossible length) */
export function decodeRecordHead(head: Buffer): RecordHeader | undefined {
  const length = head.readUInt32BE(0);
  const kind = head.readUInt8(4);
  if (kind !== RecordKind.region && kind !== RecordKind.trackEnd && kind !== RecordKind.end) return undefined;
  if (length < RECORD_HEAD_BYTES - 4 + TAG_BYTES || length > MAX_RECORD_BYTES) return undefined;
  return { kind, seq: head.readUInt32BE(5), trackId: head.readUInt32BE(9), frameIndex: head.readUInt32BE(13), ptsUs: Number(head.readBigInt64BE(17)) };
}

function encodeRecordHead(h: RecordHeader, sealedLength: number): Buffer {
  const head = Buffer.alloc(RECORD_HEAD_BYTES);
  head.writeUInt32BE(RECORD_HEAD_BYTES - 4 + sealedLength, 0);
  head.writeUInt8(h.kind, 4);
  head.writeUInt32BE(h.seq, 5);
  head.writeUInt32BE(h.trackId, 9);
  head.writeUInt32BE(h.frameIndex, 13);
  head.writeBigInt64BE(BigInt(h.ptsUs), 17);
  return head;
}

function nonce(h: RecordHeader): Buffer {
  const n = Buffer.alloc(12);
  n.writeUInt32BE(h.kind, 0);
  n.writeBigUInt64BE(BigInt(h.seq), 4);
  return n;
}
