/**
 * One client's RTSP session on a mount: where its packets go (UDP ports or interleaved channels), whether
 * it is playing, and its own RTP sequence and timestamp base. A client that starts playing (or falls
 * behind) waits for the next keyframe, so the first picture it gets is decodable.
 */
import { randomBytes, randomInt } from 'node:crypto';
import type { H264AccessUnit } from './h264-access-unit.js';
import { restamp } from './rtp-packet.js';
import type { RtspTransport } from './rtsp-transport.js';

/** Where a session's RTP packets are written. */
export interface RtpOutput {
  send(packet: Buffer): void;
  /** True while the receiver has not taken what was sent (a slow TCP reader): skip to the next keyframe. */
  congested(): boolean;
}

export class RtspSession {
  readonly id = randomBytes(8).toString('hex');
  /** ms since epoch of the last sign of life (request, RTCP, interleaved data). */
  lastActive = Date.now();
  /** Access units skipped because the receiver was congested. */
  dropped = 0;
  private playing = false;
  private waitingForKeyframe = true;
  // Random initial values (RFC 3550 §5.1) make a known-plaintext attack on SRTP and stale-packet mixups harder.
  private sequence = randomInt(0, 0x10000);
  private readonly timestampBase = randomInt(0, 2 ** 31);
  private firstPts: number | undefined;

  constructor(
    /** Mount path the session plays. */
    readonly path: string,
    readonly transport: RtspTransport,
    private readonly output: RtpOutput,
    /** Ends the session's connection-side resources; called once by the owner. */
    readonly onEnd: () => void = () => {},
  ) {}

  get isPlaying(): boolean {
    return this.playing;
  }

  /** Starts (or resumes) delivery at the next keyframe. @returns the RTP-Info values of the first packet */
  play(): { seq: number; rtptime?: number } {
    this.playing = true;
    this.waitingForKeyframe = true;
    return { seq: this.sequence & 0xffff, ...(this.firstPts === undefined ? { rtptime: this.timestampBase } : {}) };
  }

  pause(): void {
    this.playing = false;
  }

  /** Sends an access unit's packets (packetized once per mount; restamped here). */
  deliver(au: H264AccessUnit, packets: readonly Buffer[]): void {
    if (!this.playing) return;
    if (this.waitingForKeyframe && !au.keyframe) return;
    if (this.output.congested()) {
      this.dropped++;
      this.waitingForKeyframe = true;
      return;
    }
    this.waitingForKeyframe = false;
    this.firstPts ??= au.pts90k;
    const timestamp = au.pts90k - this.firstPts + this.timestampBase;
    for (const packet of packets) this.output.send(restamp(packet, this.sequence++, timestamp));
  }
}
