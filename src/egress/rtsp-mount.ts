/**
 * A path on the RTSP server that one writer feeds and any number of sessions play. Each access unit is
 * packetized once (H264Sender, which also puts the SPS/PPS in front of every IDR, so a client joining at
 * any keyframe can decode) and restamped per session. Audio frames, when
 * the writer has them, make a second track; its format (known from the first frame) goes into the SDP.
 */
import { randomInt } from 'node:crypto';
import { NullcamError } from '../errors.js';
import type { AudioFormat, AudioUnit } from '../ingest/audio-unit.js';
import type { H264AccessUnit } from './h264-access-unit.js';
import { H264Sender } from './h264-sender.js';
import type { LiveSink } from './live-sink.js';
import type { RtspSession } from './rtsp-session.js';

export class RtspMount implements LiveSink {
  /** The video track: its SSRC and parameter sets (set by ANNOUNCE when a client publishes here). */
  readonly video: H264Sender;
  readonly audioSsrc = randomInt(0, 2 ** 32 - 1);
  /** The audio track's format, once an audio frame was written; undefined: the mount serves video only. */
  audio: AudioFormat | undefined;
  private audioExpected = false;
  private readonly sessions = new Set<RtspSession>();
  /** Frames dropped for sessions that have ended. */
  private droppedByEnded = 0;
  private waiters: Array<() => void> = [];
  private closed = false;

  constructor(
    readonly path: string,
    private readonly onClose: (mount: RtspMount) => void,
    private readonly maxPacketBytes?: number,
  ) {
    this.video = new H264Sender(maxPacketBytes);
  }

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
    this.video.observe(au);
    this.wakeIfDescribable();
    if (this.sessions.size === 0) return;
    const { unit, packets } = this.video.packetize(au);
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
    return Boolean(this.video.sps && this.video.pps && (this.audio || !this.audioExpected));
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
