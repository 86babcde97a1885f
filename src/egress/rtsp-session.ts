/**
 * One client's RTSP session on a mount: where its packets go (UDP ports or interleaved channels), whether
 * it is playing, and its own RTP sequence and timestamp base. A client that starts playing (or falls
 * behind) waits for the next keyframe, so the first picture it gets is decodable.
 */
import { randomBytes, randomInt } from 'node:crypto';
import type { H264AccessUnit } from './h264-access-unit.js';
import { rtcpSenderReport } from './rtcp-sender-report.js';
import { restamp, RTP_HEADER_BYTES } from './rtp-packet.js';
import type { RtspTransport } from './rtsp-transport.js';

/** Where a session's RTP packets are written. */
export interface RtpOutput {
  send(packet: Buffer): void;
  sendRtcp(packet: Buffer): void;
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
  private packets = 0;
  private octets = 0;
  /** RTP timestamp of the last access unit sent, and when it was sent (ms, wall clock). */
  private last: { timestamp: number; wallMs: number } | undefined;

  constructor(
    /** Mount path the session plays. */
    readonly path: string,
    readonly transport: RtspTransport,
    private readonly output: RtpOutput,
    private readonly ssrc: number,
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
    for (const packet of packets) {
      this.output.send(restamp(packet, this.sequence++, timestamp));
      this.octets += packet.length - RTP_HEADER_BYTES;
    }
    const first = this.packets === 0;
    this.packets += packets.length;
    this.last = { timestamp, wallMs: Date.now() };
    // A report right away lets receivers map timestamps to wall-clock time from the first picture on.
    if (first) this.report(this.last.wallMs);
  }

  /** Sends an RTCP sender report (the server calls this every few seconds); nothing before the first packet. */
  report(nowMs: number): void {
    if (!this.playing || !this.last) return;
    // The RTP clock is assumed to run at wall-clock rate since the last access unit (90 ticks per ms).
    const rtpTimestamp = this.last.timestamp + (nowMs - this.last.wallMs) * 90;
    this.output.sendRtcp(rtcpSenderReport({ ssrc: this.ssrc, wallMs: nowMs, rtpTimestamp, packets: this.packets, octets: this.octets, cname: 'nullcam' }));
  }
}
