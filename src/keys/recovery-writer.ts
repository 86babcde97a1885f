/**
 * Writes a recovery file while the video is encoded: header first, then one sealed record per anonymized
 * region as frames pass, then one end record per track and the end record. It lives under a hidden temp
 * name next to the video and is committed with it (see CompanionFile in egress/encoder.ts), so a failed
 * or interrupted run leaves neither. Memory stays bounded: records go to disk as they are made.
 */
import type { FileHandle } from 'node:fs/promises';
import { open, unlink } from 'node:fs/promises';
import { sha256File } from './sha256-file.js';
import type { CompanionFile } from '../egress/encoder.js';
import { reserveTempFile, type TempOutput } from '../egress/output-file.js';
import { toMicroseconds } from '../egress/encoder.js';
import type { Frame } from '../frame.js';
import { indexKey, trackKey } from './key-derivation.js';
import { encodeHeader, recoveryPathFor, videoFingerprint, type RecoveryHeader } from './recovery-header.js';
import { END_TRACK, RecordKind, sealRecord, type RecordHeader } from './recovery-record.js';

/** What the end record says, for the whole file. */
export interface RecoveryEnd {
  readonly frames: number;
  readonly regions: number;
  readonly tracks: readonly number[];
  /** SHA-256 (hex) of the video file these records were written with: binds the file to its video. */
  readonly videoSha256: string;
}

/** What a track's end record says (the video hash too, for holders of a per-track key). */
export interface TrackEnd {
  readonly regions: number;
  readonly firstFrame: number;
  readonly lastFrame: number;
  readonly videoSha256: string;
}

export class RecoveryWriter implements CompanionFile {
  private seq = 0;
  private frames = 0;
  private bytes = 0;
  private readonly tracks = new Map<number, { key: Buffer; regions: number; firstFrame: number; lastFrame: number }>();
  private committed = false;
  /** µs timestamp of the video's first frame: records carry times relative to it (see recovery-record.ts). */
  private originUs: number | undefined;

  private constructor(
    private readonly temp: TempOutput,
    private readonly file: FileHandle,
    private readonly master: Buffer,
    private readonly fingerprint: Buffer,
  ) {}

  /**
   * Reserves `<video>.nullrec` (checked like the video: refused if it exists, unless overwrite) and writes the header.
   * @param master the 256-bit master key; kept in memory only
   */
  static async create(video: string, overwrite: boolean, header: RecoveryHeader, master: Buffer): Promise<RecoveryWriter> {
    const temp = await reserveTempFile(recoveryPathFor(video), overwrite);
    try {
      const file = await open(temp.path, 'w');
      const headerBytes = encodeHeader(header);
      const writer = new RecoveryWriter(temp, file, master, videoFingerprint(headerBytes));
      await writer.append(headerBytes);
      return writer;
    } catch (error) {
      await temp.discard();
      throw error;
    }
  }

  /** Final path of the recovery file. */
  get path(): string {
    return this.temp.output;
  }

  /** Bytes written so far. */
  get size(): number {
    return this.bytes;
  }

  /** Seals one region of `frame` (its payload from region-payload.ts) with its track's key. */
  async writeRegion(frame: Frame, trackId: number, payload: Uint8Array): Promise<void> {
    let track = this.tracks.get(trackId);
    if (!track) this.tracks.set(trackId, (track = { key: trackKey(this.master, this.fingerprint, trackId), regions: 0, firstFrame: frame.index, lastFrame: frame.index }));
    track.regions++;
    track.lastFrame = frame.index;
    await this.seal(track.key, { kind: RecordKind.region, trackId, frameIndex: frame.index, ptsUs: this.relativeUs(frame) }, payload);
  }

  /** Counts a frame (with or without regions, after them); the end record holds the count. */
  frameDone(frame: Frame): void {
    this.relativeUs(frame);
    this.frames++;
  }

  private relativeUs(frame: Frame): number {
    const us = toMicroseconds(frame.pts, frame.timeBase);
    this.originUs ??= us;
    return us - this.originUs;
  }

  /** Writes the end records (with the finished video's hash), syncs, and renames the file into place. */
  async commit(video: string): Promise<void> {
    const videoSha256 = await sha256File(video);
    const ids = [...this.tracks.keys()].sort((a, b) => a - b);
    let regions = 0;
    for (const id of ids) {
      const t = this.tracks.get(id)!;
      regions += t.regions;
      const end: TrackEnd = { regions: t.regions, firstFrame: t.firstFrame, lastFrame: t.lastFrame, videoSha256 };
      await this.seal(t.key, { kind: RecordKind.trackEnd, trackId: id, frameIndex: this.frames, ptsUs: 0 }, Buffer.from(JSON.stringify(end)));
    }
    const end: RecoveryEnd = { frames: this.frames, regions, tracks: ids, videoSha256 };
    await this.seal(indexKey(this.master, this.fingerprint), { kind: RecordKind.end, trackId: END_TRACK, frameIndex: this.frames, ptsUs: 0 }, Buffer.from(JSON.stringify(end)));
    await this.file.sync();
    await this.file.close();
    await this.temp.commit();
    this.committed = true;
  }

  async discard(): Promise<void> {
    await this.file.close().catch(() => {});
    if (this.committed) {
      this.committed = false;
      await unlink(this.temp.output).catch(() => {});
    } else await this.temp.discard();
  }

  private async seal(key: Buffer, fields: Omit<RecordHeader, 'seq'>, plaintext: Uint8Array): Promise<void> {
    await this.append(sealRecord(key, this.fingerprint, { ...fields, seq: this.seq++ }, plaintext));
  }

  private async append(bytes: Buffer): Promise<void> {
    await this.file.write(bytes);
    this.bytes += bytes.length;
  }
}
