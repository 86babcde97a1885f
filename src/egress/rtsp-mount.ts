/**
 * A path on the RTSP server that one writer feeds and any number of sessions play. Each access unit is
 * packetized once and restamped per session. The last SPS/PPS are kept for the SDP and sent in-band in
 * front of every IDR that lacks them, so a client joining at any keyframe can decode. Audio frames, when
 * the writer has them, make a second track; its format (known from the first frame) goes into the SDP.
 */
import { randomInt } from 'node:crypto';
import { NullcamError } from '../errors.js';
import type { AudioFormat, AudioUnit } from '../ingest/audio-unit.js';
import { parameterSets, withParameterSets, type H264AccessUnit } from './h264-access-unit.js';
import type { LiveSink } from './live-sink.js';
import { packetizeH264 } from './h264-packetizer.js';
import type { RtspSession } from './rtsp-session.js';
import { H264_PAYLOAD_TYPE } from './sdp.js';

export class RtspMount implements LiveSink {
  readonly ssrc = randomInt(0, 2 ** 32 - 1);
  readonly audioSsrc = randomInt(0, 2 ** 32 - 1);
  sps: Buffer | undefined;
  /** The audio track's format, once an audio frame was written; undefined: the mount serves video only. */
  audio: AudioFormat | undefined;
  private audioExpected = false;
  pps: Buffer | undefined;
  private readonly sessions = new Set<RtspSession>();
  /** Frames dropped for sessions that have ended. */
  private droppedByEnded = 0;
  private waiters: Array<() => void> = [];
  private closed = false;

  constructor(
    readonly path: string,
    private readonly onClose: (mount: RtspMount) => void,
    private readonly maxPacketBytes?: number,
  ) {}

  /** Sessions set up on this mount (playing or not). */
  get clients(): number {
    return this.sessions.size;
  }

  /** Video frames not sent to a client that had not taken the ones before (RtspSession.dropped), ended sessions included. */
  get clientDrops(): number {
    let n = this.droppedByEnded;
    for (const session of this.sessions) n += session.dropped;
    return n;
  }

  write(au: H264AccessUnit): void {
    if (this.closed) throw new NullcamError(`RTSP mount ${this.path} is closed; it takes no more video.`, 1);
    const params = parameterSets(au);
    if (params.sps) this.sps = params.sps;
    if (params.pps) this.pps = params.pps;
    this.wakeIfDescribable();
    if (this.sessions.size === 0) return;
    const unit = au.keyframe ? withParameterSets(au, this.sps, this.pps) : au;
    const packets = packetizeH264(unit, { payloadType: H264_PAYLOAD_TYPE, ssrc: this.ssrc, sequence: 0, ...(this.maxPacketBytes ? { maxPacketBytes: this.maxPacketBytes } : {}) });
    for (const session of this.sessions) session.deliver(unit, packets);
  }

  writeAudio(unit: AudioUnit): void {
    if (this.closed) return;
    this.audio = unit.format;
    this.wakeIfDescribable();
    for (const session of this.sessions) session.deliverAudio(unit, this.maxPacketBytes);
  }

  expectAudio(): void {
    this.audioExpected = true;
  }

  /** The SDP can be written: SPS and PPS known, and the audio format too when audio is expected. */
  private get isDescribable(): boolean {
    return Boolean(this.sps && this.pps && (this.audio || !this.audioExpected));
  }

  private wakeIfDescribable(): void {
    if (this.isDescribable && this.waiters.length > 0) for (const wake of this.waiters.splice(0)) wake();
  }

  /**
   * Resolves once SPS and PPS (and the audio format, when audio is expected) are known, or after
   * `timeoutMs` (the SDP then goes out without what is missing).
   */
  async whenDescribable(timeoutMs: number): Promise<void> {
    if (this.isDescribable || this.closed) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(done, timeoutMs);
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      this.waiters.push(done);
    });
  }

  add(session: RtspSession): void {
    this.sessions.add(session);
  }

  remove(session: RtspSession): void {
    if (this.sessions.delete(session)) this.droppedByEnded += session.dropped;
  }

  /** Ends every session on the mount (their connections are closed) and unmounts it. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const wake of this.waiters.splice(0)) wake();
    for (const session of [...this.sessions]) session.onEnd();
    this.sessions.clear();
    this.onClose(this);
  }
}
