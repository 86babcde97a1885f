/**
 * Pushes H.264 to an existing RTSP server (mediamtx-style publishing, RFC 2326 §10.11 and §10.13):
 * ANNOUNCE with the SDP, SETUP with mode=record, RECORD, then RTP over the TCP connection (interleaved)
 * or over UDP. Nothing is announced before the first keyframe, so the SDP carries the SPS/PPS.
 *
 * @example
 * const sink = await publishRtsp('rtsp://user:pass@server:8554/cam1', { transport: 'tcp' });
 * sink.write(au); … await sink.close();
 */
import type dgram from 'node:dgram';
import { randomInt } from 'node:crypto';
import { NullcamError } from '../errors.js';
import { redactUrl } from '../ingest/redact-url.js';
import { parameterSets, withParameterSets, type H264AccessUnit, type H264Sink } from './h264-access-unit.js';
import { packetizeH264, DEFAULT_RTP_PACKET_BYTES } from './h264-packetizer.js';
import { bindRtpUdpPorts, type RtpUdpPorts } from './rtp-udp-ports.js';
import { RtspClientConnection, parseRtspUrl } from './rtsp-client.js';
import { interleavedFrame } from './rtsp-interleaved.js';
import type { RtspResponse } from './rtsp-message.js';
import { parseTransport } from './rtsp-transport.js';
import { H264_PAYLOAD_TYPE, h264Sdp, TRACK_CONTROL } from './sdp.js';

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
export async function publishRtsp(url: string, options: PublishOptions = {}): Promise<H264Sink & { readonly dropped: number }> {
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

/** Access units held while the server is being set up; past this the publisher waits for the next keyframe. */
const MAX_PENDING = 100;
/** Unsent bytes on the TCP connection before frames are dropped (to the next keyframe). As the server's limit. */
const MAX_UNSENT_BYTES = 1 << 20;

class RtspPublisher implements H264Sink {
  /** Access units skipped because the server did not take them fast enough. */
  dropped = 0;
  private state: 'idle' | 'starting' | 'recording' | 'closed' = 'idle';
  private pending: H264AccessUnit[] = [];
  private sps: Buffer | undefined;
  private pps: Buffer | undefined;
  private failure: NullcamError | undefined;
  private waitingForKeyframe = false;
  private sequence = randomInt(0, 0x10000);
  private readonly ssrc = randomInt(0, 2 ** 32 - 1);
  private send: (packet: Buffer) => void = () => {};
  private congested: () => boolean = () => false;
  private udp: RtpUdpPorts | undefined;

  constructor(
    private readonly connection: RtspClientConnection,
    private readonly options: PublishOptions,
  ) {
    connection.onClose((error) => {
      if (this.state !== 'closed') this.fail(error);
    });
  }

  write(au: H264AccessUnit): void {
    if (this.failure) throw this.failure;
    if (this.state === 'closed') throw new NullcamError('The RTSP publisher is closed; it takes no more video.', 1);
    const params = parameterSets(au);
    this.sps = params.sps ?? this.sps;
    this.pps = params.pps ?? this.pps;
    if (this.state === 'idle') {
      if (!au.keyframe || !this.sps || !this.pps) return;
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

  async close(): Promise<void> {
    if (this.state === 'closed') return;
    const wasRecording = this.state === 'recording';
    this.state = 'closed';
    if (wasRecording && !this.failure) {
      await Promise.race([this.connection.request('TEARDOWN', this.connection.target.url).catch(() => {}), new Promise((r) => setTimeout(r, 2000))]);
    }
    this.connection.close();
    await this.udp?.close();
  }

  /** Records the first failure and reports it once. */
  private fail(error: NullcamError): void {
    if (this.failure) return;
    this.failure = error;
    this.options.onError?.(error);
  }

  private async start(): Promise<void> {
    const { url } = this.connection.target;
    const sdp = h264Sdp({ address: this.connection.socket.localAddress ?? '0.0.0.0', sps: this.sps, pps: this.pps });
    expectOk(await this.connection.request('ANNOUNCE', url, { 'Content-Type': 'application/sdp' }, sdp), 'ANNOUNCE', url);
    const tcp = (this.options.transport ?? 'tcp') === 'tcp';
    if (!tcp) this.udp = await bindRtpUdpPorts(this.connection.socket.localAddress ?? '0.0.0.0');
    const transport = tcp ? 'RTP/AVP/TCP;unicast;interleaved=0-1;mode=record' : `RTP/AVP;unicast;client_port=${this.udp!.ports[0]}-${this.udp!.ports[1]};mode=record`;
    const setup = expectOk(await this.connection.request('SETUP', `${url.replace(/\/+$/, '')}/${TRACK_CONTROL}`, { Transport: transport }), 'SETUP', url);
    this.connection.session = setup.headers.get('session')?.split(';')[0].trim();
    if (tcp) {
      const answered = parseTransport(setup.headers.get('transport'));
      const channel = answered?.kind === 'tcp' ? answered.channels[0] : 0;
      this.send = (packet) => this.connection.write(interleavedFrame(channel, packet));
      this.congested = () => this.connection.unsentBytes > MAX_UNSENT_BYTES;
    } else {
      const port = Number(/server_port=(\d+)/.exec(setup.headers.get('transport') ?? '')?.[1]);
      if (!port) throw new NullcamError(`RTSP server ${redactUrl(url)} gave no server_port for UDP; publish with --transport tcp.`, 1);
      const socket: dgram.Socket = this.udp!.rtp;
      const host = this.connection.socket.remoteAddress ?? this.connection.target.host;
      this.send = (packet) => socket.send(packet, port, host);
    }
    expectOk(await this.connection.request('RECORD', url, { Range: 'npt=0.000-' }), 'RECORD', url);
    if (this.state !== 'starting') return;
    this.state = 'recording';
    for (const au of this.pending.splice(0)) this.sendUnit(au);
  }

  private sendUnit(au: H264AccessUnit): void {
    if (this.waitingForKeyframe && !au.keyframe) return;
    if (this.congested()) {
      this.dropped++;
      this.waitingForKeyframe = true;
      return;
    }
    this.waitingForKeyframe = false;
    const unit = au.keyframe ? withParameterSets(au, this.sps, this.pps) : au;
    const packets = packetizeH264(unit, { payloadType: H264_PAYLOAD_TYPE, ssrc: this.ssrc, sequence: this.sequence, maxPacketBytes: this.options.maxPacketBytes ?? DEFAULT_RTP_PACKET_BYTES });
    this.sequence = (this.sequence + packets.length) & 0xffff;
    for (const packet of packets) this.send(packet);
  }
}

function expectOk(response: RtspResponse, method: string, url: string): RtspResponse {
  if (response.status !== 200) {
    throw new NullcamError(`RTSP server ${redactUrl(url)} refused to take the stream: ${method} answered ${response.status} ${response.reason}.`, 1);
  }
  return response;
}
