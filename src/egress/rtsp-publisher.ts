/**
 * Pushes H.264, and audio when the camera has it, to an existing RTSP server (mediamtx-style publishing,
 * RFC 2326 §10.11 and §10.13): ANNOUNCE with the SDP, SETUP of each track with mode=record, RECORD, then
 * RTP and RTCP sender reports over the TCP connection (interleaved) or over UDP. Nothing is announced
 * before the first keyframe, so the SDP carries the SPS/PPS (and the audio format, known by then). The
 * sending side is an RtspSession, as for a client of nullcam's own server.
 *
 * @example
 * const sink = await publishRtsp('rtsp://user:pass@server:8554/cam1', { transport: 'tcp' });
 * sink.write(au); … await sink.close();
 */
import { randomInt } from 'node:crypto';
import { NullcamError } from '../errors.js';
import { redactUrl } from '../ingest/redact-url.js';
import type { AudioFormat, AudioUnit } from '../ingest/audio-unit.js';
import type { H264AccessUnit } from './h264-access-unit.js';
import { H264Sender } from './h264-sender.js';
import { isAudioUnit, type LiveSink, type LiveUnit } from './live-sink.js';
import { SENDER_REPORT_INTERVAL_MS } from './rtcp-sender-report.js';
import { bindRtpUdpPorts, type RtpUdpPorts } from './rtp-udp-ports.js';
import { RtspClientConnection, parseRtspUrl } from './rtsp-client.js';
import { interleavedFrame } from './rtsp-interleaved.js';
import type { RtspResponse } from './rtsp-message.js';
import { RtspSession, type RtpOutput, type TrackKind } from './rtsp-session.js';
import { parseTransport, type RtspTransport } from './rtsp-transport.js';
import { AUDIO_TRACK_CONTROL, sessionSdp, TRACK_CONTROL } from './sdp.js';

export interface PublishOptions {
  /** RTP over the RTSP TCP connection (default; passes firewalls) or UDP. */
  readonly transport?: 'tcp' | 'udp';
  /** Called once if the connection fails after publishRtsp resolved; later writes throw the same error. */
  readonly onError?: (error: NullcamError) => void;
  /** Largest RTP packet, header included; default 1400. */
  readonly maxPacketBytes?: number;
}

/**
 * Connects and checks the server answers (OPTIONS); the stream is announced at the first keyframe.
 * @throws NullcamError (one line) for a bad URL, an unreachable server or refused credentials
 */
export async function publishRtsp(url: string, options: PublishOptions = {}): Promise<LiveSink & { readonly dropped: number }> {
  const target = parseRtspUrl(url);
  const connection = await RtspClientConnection.connect(target);
  try {
    await connection.request('OPTIONS', target.url);
  } catch (error) {
    connection.close();
    throw error;
  }
  return new RtspPublisher(connection, options);
}

/** Units held while the server is being set up; past this the publisher waits for the next keyframe. */
const MAX_PENDING = 200;
/** How long the announcement waits for the format of audio that is expected, ms (as a DESCRIBE on nullcam's server). */
const AUDIO_WAIT_MS = 2000;
/** Unsent bytes on the TCP connection before frames are dropped (to the next keyframe). As the server's limit. */
const MAX_UNSENT_BYTES = 1 << 20;

class RtspPublisher implements LiveSink {
  private state: 'idle' | 'starting' | 'recording' | 'closed' = 'idle';
  /** Video access units from the first keyframe on, and the audio between them, in order. */
  private pending: LiveUnit[] = [];
  private audio: AudioFormat | undefined;
  /** When the audio was said to come (Date.now()), while its format is not known. */
  private audioExpectedAt: number | undefined;
  private failure: NullcamError | undefined;
  private readonly video: H264Sender;
  private readonly audioSsrc = randomInt(0, 2 ** 32 - 1);
  private session: RtspSession | undefined;
  private reporter: NodeJS.Timeout | undefined;
  private readonly udp: RtpUdpPorts[] = [];

  constructor(
    private readonly connection: RtspClientConnection,
    private readonly options: PublishOptions,
  ) {
    this.video = new H264Sender(options.maxPacketBytes);
    connection.onClose((error) => {
      if (this.state !== 'closed') this.fail(error);
    });
  }

  /** Access units skipped because the server did not take them fast enough. */
  get dropped(): number {
    return this.session?.dropped ?? 0;
  }

  write(au: H264AccessUnit): void {
    this.check();
    this.video.observe(au);
    if (this.state === 'idle') {
      if (!au.keyframe || !this.video.sps || !this.video.pps || this.awaitingAudio()) return;
      this.state = 'starting';
      this.pending.push(au);
      this.start().catch((error: unknown) => {
        this.fail(error instanceof NullcamError ? error : new NullcamError(`RTSP publishing failed: ${(error as Error).message}`, 1, { cause: error }));
        this.connection.close();
      });
      return;
    }
    if (this.state === 'starting') {
      if (this.pending.length >= MAX_PENDING) this.pending = [];
      if (this.pending.length > 0 || au.keyframe) this.pending.push(au);
      return;
    }
    this.sendUnit(au);
  }

  expectAudio(): void {
    this.audioExpectedAt ??= Date.now();
  }

  private awaitingAudio(): boolean {
    return !this.audio && this.audioExpectedAt !== undefined && Date.now() - this.audioExpectedAt < AUDIO_WAIT_MS;
  }

  writeAudio(unit: AudioUnit): void {
    this.check();
    this.audio = unit.format;
    if (this.state === 'starting' && this.pending.length > 0) this.pending.push(unit);
    else if (this.state === 'recording') this.session!.deliverAudio(unit, this.options.maxPacketBytes);
  }

  async close(): Promise<void> {
    if (this.state === 'closed') return;
    const wasRecording = this.state === 'recording';
    this.state = 'closed';
    clearInterval(this.reporter);
    if (wasRecording && !this.failure) {
      await Promise.race([this.connection.request('TEARDOWN', this.connection.target.url).catch(() => {}), new Promise((r) => setTimeout(r, 2000))]);
    }
    this.connection.close();
    for (const ports of this.udp) await ports.close();
  }

  private check(): void {
    if (this.failure) throw this.failure;
    if (this.state === 'closed') throw new NullcamError('The RTSP publisher is closed; it takes no more video.', 1);
  }

  /** Records the first failure and reports it once. */
  private fail(error: NullcamError): void {
    if (this.failure) return;
    this.failure = error;
    this.options.onError?.(error);
  }

  private async start(): Promise<void> {
    const { url } = this.connection.target;
    // The audio format known now is the one announced; a camera without audio publishes video alone.
    const audio = this.audio;
    const sdp = sessionSdp({ address: this.connection.socket.localAddress ?? '0.0.0.0', sps: this.video.sps, pps: this.video.pps, ...(audio ? { audio } : {}) });
    expectOk(await this.connection.request('ANNOUNCE', url, { 'Content-Type': 'application/sdp' }, sdp), 'ANNOUNCE', url);
    const session = new RtspSession(this.connection.target.url);
    const tracks: TrackKind[] = audio ? ['video', 'audio'] : ['video'];
    for (const [i, kind] of tracks.entries()) {
      const { transport, output } = await this.setupTrack(kind === 'audio' ? AUDIO_TRACK_CONTROL : TRACK_CONTROL, i);
      session.setup(kind, transport, output, kind === 'audio' ? this.audioSsrc : this.video.ssrc, kind === 'audio' ? audio : undefined);
    }
    expectOk(await this.connection.request('RECORD', url, { Range: 'npt=0.000-' }), 'RECORD', url);
    if (this.state !== 'starting') return;
    this.state = 'recording';
    this.session = session;
    session.play();
    this.reporter = setInterval(() => session.report(Date.now()), SENDER_REPORT_INTERVAL_MS);
    this.reporter.unref();
    for (const unit of this.pending.splice(0)) {
      if (isAudioUnit(unit)) session.deliverAudio(unit, this.options.maxPacketBytes);
      else this.sendUnit(unit);
    }
  }

  /** SETUP of the `index`th track: interleaved channels 2·index and 2·index+1, or its own UDP port pair. */
  private async setupTrack(control: string, index: number): Promise<{ transport: RtspTransport; output: RtpOutput }> {
    const { url } = this.connection.target;
    const tcp = (this.options.transport ?? 'tcp') === 'tcp';
    const udp = tcp ? undefined : await bindRtpUdpPorts(this.connection.socket.localAddress ?? '0.0.0.0');
    if (udp) this.udp.push(udp);
    const asked = udp ? `RTP/AVP;unicast;client_port=${udp.ports[0]}-${udp.ports[1]};mode=record` : `RTP/AVP/TCP;unicast;interleaved=${2 * index}-${2 * index + 1};mode=record`;
    const setup = expectOk(await this.connection.request('SETUP', `${url.replace(/\/+$/, '')}/${control}`, { Transport: asked }), 'SETUP', url);
    this.connection.session ??= setup.headers.get('session')?.split(';')[0].trim();
    const answered = parseTransport(setup.headers.get('transport'));
    if (!udp) {
      const channels = answered?.kind === 'tcp' ? answered.channels : ([2 * index, 2 * index + 1] as const);
      return {
        transport: { kind: 'tcp', channels, record: true },
        output: {
          send: (packet) => this.connection.write(interleavedFrame(channels[0], packet)),
          sendRtcp: (packet) => this.connection.write(interleavedFrame(channels[1], packet)),
          congested: () => this.connection.unsentBytes > MAX_UNSENT_BYTES,
        },
      };
    }
    const ports = /server_port=(\d+)(?:-(\d+))?/.exec(setup.headers.get('transport') ?? '');
    if (!ports) throw new NullcamError(`RTSP server ${redactUrl(url)} gave no server_port for UDP; publish with --transport tcp.`, 1);
    const rtpPort = Number(ports[1]);
    const rtcpPort = ports[2] ? Number(ports[2]) : rtpPort + 1;
    const host = this.connection.socket.remoteAddress ?? this.connection.target.host;
    return {
      transport: { kind: 'udp', clientPorts: udp.ports, record: true },
      output: { send: (packet) => udp.rtp.send(packet, rtpPort, host), sendRtcp: (packet) => udp.rtcp.send(packet, rtcpPort, host), congested: () => false },
    };
  }

  private sendUnit(au: H264AccessUnit): void {
    const { unit, packets } = this.video.packetize(au);
    this.session!.deliver(unit, packets);
  }
}

function expectOk(response: RtspResponse, method: string, url: string): RtspResponse {
  if (response.status !== 200) {
    throw new NullcamError(`RTSP server ${redactUrl(url)} refused to take the stream: ${method} answered ${response.status} ${response.reason}.`, 1);
  }
  return response;
}
