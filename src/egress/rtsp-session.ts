/**
 * One client's RTSP session on a mount: its tracks (video, and audio when the mount has it and the client
 * set it up), where each track's packets go (UDP ports or interleaved channels), whether it is playing,
 * and per track its own RTP sequence and timestamp base. A client that starts playing (or falls behind)
 * waits for the next keyframe, so the first picture it gets is decodable; its audio starts with it. Both
 * tracks count time from the same first pts, and their sender reports map it to the same wall clock, so a
 * client plays them in sync.
 */
import { randomBytes, randomInt } from 'node:crypto';
import { packetizeAudio, audioPayloadType } from './audio-packetizer.js';
import { sameAudioFormat, type AudioFormat, type AudioUnit } from '../ingest/audio-unit.js';
import type { H264AccessUnit } from './h264-access-unit.js';
import { rtcpSenderReport } from './rtcp-sender-report.js';
import { restamp, RTP_HEADER_BYTES } from './rtp-packet.js';
import type { RtspTransport } from './rtsp-transport.js';

/** Where a track's RTP packets are written. */
export interface RtpOutput {
  send(packet: Buffer): void;
  sendRtcp(packet: Buffer): void;
  /** True while the receiver has not taken what was sent (a slow TCP reader): skip to the next keyframe. */
  congested(): boolean;
}

export type TrackKind = 'video' | 'audio';

/** One set-up track: its destination and its RTP state. */
class Track {
  // Random initial values (RFC 3550 §5.1) make a known-plaintext attack on SRTP and stale-packet mixups harder.
  sequence = randomInt(0, 0x10000);
  readonly timestampBase = randomInt(0, 2 ** 31);
  packets = 0;
  octets = 0;

  constructor(
    readonly transport: RtspTransport,
    readonly output: RtpOutput,
    readonly ssrc: number,
    /** The audio format the client was told of (SDP); undefined for video. */
    readonly audio: AudioFormat | undefined,
  ) {}

  /** Ticks per second of the track's RTP clock: 90 kHz for video, the sample rate for audio. */
  get clockRate(): number {
    return this.audio?.sampleRate ?? 90_000;
  }

  /** The RTP timestamp of `pts90k`, counted from the session's first pts. */
  timestamp(pts90k: number, firstPts: number): number {
    return Math.round(((pts90k - firstPts) * this.clockRate) / 90_000) + this.timestampBase;
  }

  sendAll(packets: readonly Buffer[]): boolean {
    const first = this.packets === 0;
    for (const packet of packets) {
      this.output.send(packet);
      this.octets += packet.length - RTP_HEADER_BYTES;
    }
    this.packets += packets.length;
    return first;
  }
}

export class RtspSession {
  readonly id = randomBytes(8).toString('hex');
  /** ms since epoch of the last sign of life (request, RTCP, interleaved data). */
  lastActive = Date.now();
  /** Video frames not sent because the receiver was congested: the one it could not take and those until the next keyframe. */
  dropped = 0;
  private readonly tracks = new Map<TrackKind, Track>();
  private playing = false;
  private waitingForKeyframe = true;
  /** Waiting for a keyframe after a congestion (not after PLAY): the frames skipped meanwhile count as dropped. */
  private resyncing = false;
  private firstPts: number | undefined;
  /**
   * The session's media clock for sender reports: the first media sent and when (ms, wall clock); media
   * time is taken to run at wall-clock rate from there. Fixed, not re-sampled per packet: a receiver
   * re-anchors its timestamps at every report (ffmpeg does), so reports taken at moments of different
   * processing delay would make both tracks jump (measured: 47 ms), and the tracks must share one mapping.
   */
  private clock: { pts90k: number; wallMs: number } | undefined;

  constructor(
    /** Mount path the session plays. */
    readonly path: string,
    /** Ends the session's connection-side resources; called once by the owner. */
    readonly onEnd: () => void = () => {},
  ) {}

  /** Adds a track (SETUP). The first one decides how the session lives (UDP: until timeout; TCP: with its connection). */
  setup(kind: TrackKind, transport: RtspTransport, output: RtpOutput, ssrc: number, audio?: AudioFormat): void {
    if ((kind === 'audio') !== (audio !== undefined)) throw new Error(`RtspSession.setup: an audio track needs its format, a video track none (${kind})`);
    this.tracks.set(kind, new Track(transport, output, ssrc, audio));
  }

  get transport(): RtspTransport {
    return this.tracks.values().next().value!.transport;
  }

  /** The client's UDP ports of every track (RTCP from them keeps the session alive). */
  get clientPorts(): number[] {
    return [...this.tracks.values()].flatMap((t) => (t.transport.kind === 'udp' ? [...t.transport.clientPorts] : []));
  }

  get isPlaying(): boolean {
    return this.playing;
  }

  /** Starts (or resumes) delivery at the next keyframe. @returns each track's RTP-Info: the first packet's seq (and rtptime before any) */
  play(): Array<{ kind: TrackKind; seq: number; rtptime?: number }> {
    this.playing = true;
    this.waitingForKeyframe = this.tracks.has('video');
    return [...this.tracks].map(([kind, t]) => ({ kind, seq: t.sequence & 0xffff, ...(this.firstPts === undefined ? { rtptime: t.timestampBase } : {}) }));
  }

  pause(): void {
    this.playing = false;
  }

  /** Sends an access unit's packets (packetized once per mount; restamped here). */
  deliver(au: H264AccessUnit, packets: readonly Buffer[]): void {
    const track = this.tracks.get('video');
    if (!this.playing || !track) return;
    if (this.waitingForKeyframe && !au.keyframe) {
      if (this.resyncing) this.dropped++;
      return;
    }
    if (track.output.congested()) {
      this.dropped++;
      this.waitingForKeyframe = this.resyncing = true;
      return;
    }
    this.waitingForKeyframe = this.resyncing = false;
    this.firstPts ??= au.pts90k;
    const timestamp = track.timestamp(au.pts90k, this.firstPts);
    this.sent(track, packets.map((p) => restamp(p, track.sequence++, timestamp)), au.pts90k);
  }

  /** Sends an audio frame, once the video (if set up) has started. */
  deliverAudio(unit: AudioUnit, maxPacketBytes?: number): void {
    const track = this.tracks.get('audio');
    if (!this.playing || !track || this.waitingForKeyframe || track.output.congested()) return;
    // A format other than the one set up (the camera changed it): the client's SDP cannot describe it, so
    // it gets video only until it reconnects and is told the new one.
    if (!sameAudioFormat(track.audio!, unit.format)) return;
    this.firstPts ??= unit.pts90k;
    const packets = packetizeAudio(unit, {
      payloadType: audioPayloadType(unit.format),
      ssrc: track.ssrc,
      sequence: track.sequence,
      timestamp: track.timestamp(unit.pts90k, this.firstPts),
      ...(maxPacketBytes ? { maxPacketBytes } : {}),
    });
    track.sequence += packets.length;
    this.sent(track, packets, unit.pts90k);
  }

  private sent(track: Track, packets: readonly Buffer[], pts90k: number): void {
    const wallMs = Date.now();
    this.clock ??= { pts90k, wallMs };
    // A report right away lets receivers map timestamps to wall-clock time (and sync the tracks) from the first packet on.
    if (track.sendAll(packets)) this.reportTrack(track, wallMs);
  }

  /** Sends each track's RTCP sender report (the server calls this every few seconds); nothing before a track's first packet. */
  report(nowMs: number): void {
    if (!this.playing) return;
    for (const track of this.tracks.values()) if (track.packets > 0) this.reportTrack(track, nowMs);
  }

  private reportTrack(track: Track, nowMs: number): void {
    if (!this.clock || this.firstPts === undefined) return;
    const pts90k = this.clock.pts90k + (nowMs - this.clock.wallMs) * 90;
    track.output.sendRtcp(
      rtcpSenderReport({ ssrc: track.ssrc, wallMs: nowMs, rtpTimestamp: track.timestamp(pts90k, this.firstPts), packets: track.packets, octets: track.octets, cname: 'nullcam' }),
    );
  }
}
