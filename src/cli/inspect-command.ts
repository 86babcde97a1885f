/**
 * `nullcam inspect VIDEO [--json]`: what recovery data a video has, read without the key: cipher, key
 * fingerprint, how the key was made, tracks with their record counts and frame ranges, and whether the
 * file is complete. (Whether the records are intact takes the key: that is reveal's check.)
 */
import { NullcamError } from '../errors.js';
import { openRecoveryFile } from '../keys/recovery-reader.js';
import { RecordKind } from '../keys/recovery-record.js';
import { parseCommandLine } from './parse-command-line.js';

export interface RecoveryInventory {
  readonly recoveryFile: string;
  readonly bytes: number;
  readonly videoId: string;
  readonly video: { width: number; height: number };
  readonly cipher: string;
  readonly keyFingerprint: string;
  readonly keySource: string;
  readonly createdBy: string;
  readonly records: number;
  readonly framesWithRecords: number;
  readonly tracks: ReadonlyArray<{ id: number; records: number; firstFrame: number; lastFrame: number }>;
  /** True when the end marker is there and nothing is cut off or unreadable. */
  readonly complete: boolean;
}

export async function inspectRecovery(video: string): Promise<RecoveryInventory> {
  const file = await openRecoveryFile(video);
  const tracks = new Map<number, { id: number; records: number; firstFrame: number; lastFrame: number }>();
  const frames = new Set<number>();
  let records = 0, complete = false, damaged = false;
  for await (const read of file.records()) {
    if (!('sealed' in read)) {
      damaged = true;
      break;
    }
    records++;
    const h = read.sealed.header;
    if (h.kind === RecordKind.end) complete = true;
    if (h.kind !== RecordKind.region) continue;
    frames.add(h.frameIndex);
    const t = tracks.get(h.trackId) ?? { id: h.trackId, records: 0, firstFrame: h.frameIndex, lastFrame: h.frameIndex };
    t.records++;
    t.lastFrame = h.frameIndex;
    tracks.set(h.trackId, t);
  }
  const { header } = file;
  const kdf = header.key.kdf;
  return {
    recoveryFile: file.path,
    bytes: file.size,
    videoId: header.videoId,
    video: { width: header.video.width, height: header.video.height },
    cipher: 'AES-256-GCM',
    keyFingerprint: header.key.fingerprint,
    keySource: kdf === 'key-file' ? 'key file' : `passphrase (scrypt N=${kdf.N} r=${kdf.r} p=${kdf.p})`,
    createdBy: header.createdBy,
    records,
    framesWithRecords: frames.size,
    tracks: [...tracks.values()].sort((a, b) => a.id - b.id),
    complete: complete && !damaged,
  };
}

export async function runInspect(argv: readonly string[]): Promise<number> {
  const { values, positionals } = parseCommandLine(argv, { json: { type: 'boolean' }, debug: { type: 'boolean' } }, 'inspect');
  if (positionals.length !== 1) throw new NullcamError('Usage: nullcam inspect VIDEO [--json]', 2);
  const inv = await inspectRecovery(positionals[0]);
  if (values.json) {
    process.stdout.write(`${JSON.stringify(inv, null, 2)}\n`);
    return 0;
  }
  const lines = [
    `recovery data   ${inv.recoveryFile} (${formatBytes(inv.bytes)}, ${inv.complete ? 'complete' : 'INCOMPLETE: cut short or damaged'})`,
    `video           ${inv.video.width}x${inv.video.height}, id ${inv.videoId}`,
    `cipher          ${inv.cipher}, one key per track (HKDF-SHA256)`,
    `key             fingerprint ${inv.keyFingerprint}, from a ${inv.keySource}`,
    `written by      ${inv.createdBy}`,
    `records         ${inv.records} (face regions in ${inv.framesWithRecords} frames)`,
    `tracks          ${inv.tracks.length === 0 ? 'none' : inv.tracks.map((t) => `${t.id} (${t.records} regions, frames ${t.firstFrame}-${t.lastFrame})`).join(', ')}`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
  return 0;
}

function formatBytes(n: number): string {
  return n >= 1 << 20 ? `${(n / (1 << 20)).toFixed(1)} MiB` : `${(n / 1024).toFixed(1)} KiB`;
}
