/**
 * Reads a recovery file: the header at open, then the sealed records one at a time (bounded memory).
 * Structure only: whether a record authenticates is recovery-verifier.ts's business.
 */
import { open, stat, type FileHandle } from 'node:fs/promises';
import { NullcamError } from '../errors.js';
import { HEADER_PREFIX_BYTES, headerJsonLength, parseHeaderJson, recoveryPathFor, videoFingerprint, type RecoveryHeader } from './recovery-header.js';
import { decodeRecordHead, RECORD_HEAD_BYTES, recordBodyLength, type SealedRecord } from './recovery-record.js';

/** A record as found at `position` (0-based) in the file, or why none could be read there. */
export type ReadRecord =
  | { readonly position: number; readonly sealed: SealedRecord }
  | { readonly position: number; readonly damage: 'truncated' | 'garbled' };

export interface RecoveryFile {
  readonly path: string;
  readonly size: number;
  readonly header: RecoveryHeader;
  /** SHA-256 of the header bytes (see recovery-header.ts). */
  readonly fingerprint: Buffer;
  /** The records in file order; ends after the last one, or after the first that cannot be read. */
  records(): AsyncGenerator<ReadRecord>;
}

/**
 * Opens `<video>.nullrec` and reads its header.
 * @throws NullcamError when there is none, it cannot be read, or it is not nullcam recovery data
 */
export async function openRecoveryFile(video: string): Promise<RecoveryFile> {
  const file = recoveryPathFor(video);
  let handle: FileHandle, size: number;
  try {
    size = (await stat(file)).size;
    handle = await open(file, 'r');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new NullcamError(`${video} has no recovery data (${file} not found); it was anonymized without --key-file, or the file was moved.`, 1);
    throw new NullcamError(`Cannot read ${file} (${code ?? String(error)}); check its permissions.`, 1, { cause: error });
  }
  try {
    const prefix = await readAt(handle, 0, HEADER_PREFIX_BYTES);
    const jsonLength = headerJsonLength(prefix);
    const json = jsonLength ? await readAt(handle, HEADER_PREFIX_BYTES, jsonLength) : undefined;
    const header = json && json.length === jsonLength ? parseHeaderJson(json) : undefined;
    if (!header) throw new NullcamError(`${file} is not nullcam recovery data, or its header is damaged.`, 1);
    const headerBytes = Buffer.concat([prefix, json!]);
    return { path: file, size, header, fingerprint: videoFingerprint(headerBytes), records: () => readRecords(file, headerBytes.length) };
  } finally {
    await handle.close();
  }
}

async function* readRecords(file: string, start: number): AsyncGenerator<ReadRecord> {
  const handle = await open(file, 'r');
  try {
    let offset = start;
    for (let position = 0; ; position++) {
      const head = await readAt(handle, offset, RECORD_HEAD_BYTES);
      if (head.length === 0) return;
      if (head.length < RECORD_HEAD_BYTES) return yield { position, damage: 'truncated' };
      const header = decodeRecordHead(head);
      if (!header) return yield { position, damage: 'garbled' };
      const bodyLength = recordBodyLength(head) - (RECORD_HEAD_BYTES - 4);
      const body = await readAt(handle, offset + RECORD_HEAD_BYTES, bodyLength);
      if (body.length < bodyLength) return yield { position, damage: 'truncated' };
      yield { position, sealed: { header, head, body } };
      offset += RECORD_HEAD_BYTES + bodyLength;
    }
  } finally {
    await handle.close();
  }
}

/** Up to `length` bytes at `offset`; shorter only at the end of the file. */
async function readAt(handle: FileHandle, offset: number, length: number): Promise<Buffer> {
  const buf = Buffer.allocUnsafe(length);
  let got = 0;
  while (got < length) {
    const { bytesRead } = await handle.read(buf, got, length - got, offset + got);
    if (bytesRead === 0) break;
    got += bytesRead;
  }
  return buf.subarray(0, got);
}
