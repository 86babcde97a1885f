/**
 * Walks a recovery file's records with a keyring and says, record by record, what can be trusted:
 * records that authenticate are opened and decoded; every other finding (a changed byte, a cut-off
 * record, records out of order, missing, or from another video) is a problem with its position.
 */
import type { RegionPayload } from './region-payload.js';
import { decodeRegionPayload } from './region-payload.js';
import type { RecoveryFile } from './recovery-reader.js';
import type { RecoveryKeyring } from './recovery-keyring.js';
import { openRecord, RecordKind, type RecordHeader, type SealedRecord } from './recovery-record.js';
import type { RecoveryEnd, TrackEnd } from './recovery-writer.js';

export interface RecordProblem {
  /** Position of the record in the file (0-based), when the problem is one record. */
  readonly position?: number;
  readonly header?: RecordHeader;
  readonly reason: string;
}

export interface OpenedRegion {
  readonly header: RecordHeader;
  readonly payload: RegionPayload;
}

export class RecoveryVerifier {
  readonly problems: RecordProblem[] = [];
  /** Region records of the keyring's tracks, opened or not. */
  regions = 0;
  /** What the end record says, once read (master key only). */
  end?: RecoveryEnd;
  /** SHA-256 of the video file the records were written with, from an end record the keyring opens. */
  videoSha256?: string;
  private readonly trackEnds = new Map<number, TrackEnd>();
  private readonly seen = new Map<number, number>();

  constructor(
    private readonly file: RecoveryFile,
    private readonly keyring: RecoveryKeyring,
    private readonly onProblem?: (p: RecordProblem) => void,
  ) {}

  /** Opened regions of the keyring's tracks in file (= frame) order; problems are collected on the way. */
  async *openRegions(): AsyncGenerator<OpenedRegion> {
    let expected = 0, lastFrame = -1;
    let endSeen = false;
    for await (const read of this.file.records()) {
      if ('damage' in read) {
        this.problem({ position: read.position, reason: read.damage === 'truncated' ? 'cut off (the file ends inside it)' : 'unreadable (not a record; the rest of the file cannot be read)' });
        break;
      }
      const { header } = read.sealed;
      const at = { position: read.position, header };
      if (header.seq < expected || (header.kind === RecordKind.region && header.frameIndex < lastFrame) || endSeen) {
        this.problem({ ...at, reason: 'out of order (moved or duplicated)' });
        continue;
      }
      if (header.seq > expected) this.problem({ position: read.position, reason: `${header.seq - expected} record(s) missing before this position` });
      expected = header.seq + 1;
      if (header.kind === RecordKind.region) {
        lastFrame = header.frameIndex;
        const key = this.keyring.keyFor(header.trackId);
        if (!key) continue;
        this.regions++;
        this.seen.set(header.trackId, (this.seen.get(header.trackId) ?? 0) + 1);
        const payload = this.openRegion(key, read.sealed, at);
        if (payload) yield { header, payload };
      } else if (header.kind === RecordKind.trackEnd) {
        const key = this.keyring.keyFor(header.trackId);
        const end = key && this.openJson<TrackEnd>(key, read.sealed, at);
        if (end) {
          this.trackEnds.set(header.trackId, end);
          this.videoSha256 ??= end.videoSha256;
        }
      } else {
        endSeen = true;
        if (this.keyring.indexKey) {
          this.end = this.openJson<RecoveryEnd>(this.keyring.indexKey, read.sealed, at);
          if (this.end) this.videoSha256 = this.end.videoSha256;
        }
      }
    }
    this.checkCompleteness(endSeen);
  }

  /** Drains openRegions (an audit without using the pixels). */
  async audit(): Promise<this> {
    for await (const _ of this.openRegions());
    return this;
  }

  private checkCompleteness(endSeen: boolean): void {
    if (!endSeen) this.problem({ reason: 'the end marker is missing: the recovery data was cut short, records after the last one read are lost' });
    const tracks = this.keyring.onlyTrack !== undefined ? [this.keyring.onlyTrack] : (this.end?.tracks ?? []);
    for (const id of tracks) {
      const end = this.trackEnds.get(id);
      const seen = this.seen.get(id) ?? 0;
      if (!end) {
        if (endSeen) this.problem({ reason: `track ${id}: its end record is missing or damaged, so missing records cannot be ruled out` });
      } else if (end.regions !== seen) this.problem({ reason: `track ${id}: ${end.regions - seen} record(s) missing (written ${end.regions}, found ${seen})` });
    }
  }

  private openRegion(key: Buffer, sealed: SealedRecord, at: Omit<RecordProblem, 'reason'>): RegionPayload | undefined {
    let plain: Buffer;
    try {
      plain = openRecord(key, this.file.fingerprint, sealed);
    } catch {
      this.problem({ ...at, reason: 'authentication failed (changed, or from another video)' });
      return undefined;
    }
    try {
      return decodeRegionPayload(plain, this.file.header.video);
    } catch (error) {
      this.problem({ ...at, reason: `authentic but undecodable (${(error as Error).message})` });
      return undefined;
    }
  }

  private openJson<T>(key: Buffer, sealed: SealedRecord, at: Omit<RecordProblem, 'reason'>): T | undefined {
    try {
      return JSON.parse(openRecord(key, this.file.fingerprint, sealed).toString('utf8')) as T;
    } catch {
      this.problem({ ...at, reason: 'authentication failed (changed, or from another video)' });
      return undefined;
    }
  }

  private problem(p: RecordProblem): void {
    this.problems.push(p);
    this.onProblem?.(p);
  }
}

/** "record 12 (frame 5, track 1): authentication failed (…)". */
export function describeProblem(p: RecordProblem): string {
  if (p.position === undefined) return p.reason;
  const where = p.header ? ` (frame ${p.header.frameIndex}${p.header.trackId !== 0xffffffff ? `, track ${p.header.trackId}` : ''})` : '';
  return `record ${p.position}${where}: ${p.reason}`;
}
