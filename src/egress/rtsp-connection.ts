/**
 * One client's RTSP control connection on the server: reads requests in order, answers them (RFC 2326
 * §10), and carries the interleaved RTP of the sessions set up over TCP on it.
 */
import type net from 'node:net';
import type { RtpUdpPorts } from './rtp-udp-ports.js';
import type { RtspAuthenticator } from './rtsp-auth.js';
import { interleavedFrame } from './rtsp-interleaved.js';
import { formatResponse, RtspReader, type RtspRequest } from './rtsp-message.js';
import type { RtspMount } from './rtsp-mount.js';
import { RtspRecordSession } from './rtsp-record-session.js';
import { RtspSession, type RtpOutput, type TrackKind } from './rtsp-session.js';
import { formatTransport, parseTransport, type RtspTransport } from './rtsp-transport.js';
import { AUDIO_TRACK_CONTROL, sessionSdp, parseH264Sdp, TRACK_CONTROL } from './sdp.js';

/** What a connection needs from its server. */
export interface RtspServerContext {
  readonly auth: RtspAuthenticator | undefined;
  readonly udp: RtpUdpPorts;
  readonly sessionTimeoutS: number;
  readonly sessions: Map<string, RtspSession>;
  mount(path: string): RtspMount | undefined;
  /** Accept ANNOUNCE/RECORD to paths that are not mounted. */
  readonly allowPublish: boolean;
  /** Mounts a path for a publisher; undefined if it is taken. */
  publish(path: string): RtspMount | undefined;
  /** RTP arriving on the server's UDP port from `address:port` goes to these (UDP publishers). */
  readonly udpReceivers: Map<string, (packet: Buffer) => void>;
}

const PLAY_METHODS = 'OPTIONS, DESCRIBE, SETUP, PLAY, PAUSE, TEARDOWN, GET_PARAMETER, SET_PARAMETER';
const PUBLISH_METHODS = `${PLAY_METHODS}, ANNOUNCE, RECORD`;
/**
 * Bytes a TCP client may have unread before it skips to the next keyframe. Chosen, not measured: about
 * two seconds at 4 Mbit/s, more than one keyframe at 1080p, so a healthy client never trips it.
 */
const MAX_UNSENT_BYTES = 1 << 20;
/** How long DESCRIBE waits for the first SPS/PPS (and audio format) of a mount that has not been written yet. */
const DESCRIBE_WAIT_MS = 2000;

export class RtspConnection {
  private readonly reader = new RtspReader();
  /** Sessions set up on this connection. */
  private readonly owned = new Set<RtspSession>();
  private queue: Promise<void> = Promise.resolve();
  private nextChannel = 0;
  /** The path this connection announced, and its publishing session once set up. */
  private announced: { readonly path: string; readonly mount: RtspMount } | undefined;
  private recording: RtspRecordSession | undefined;

  constructor(
    private readonly socket: net.Socket,
    private readonly ctx: RtspServerContext,
  ) {
    socket.setNoDelay(true);
    socket.on('data', (chunk) => this.onData(chunk));
    socket.on('error', () => {});
    socket.on('close', () => this.onClose());
  }

  close(): void {
    this.socket.destroy();
  }

  private onData(chunk: Buffer): void {
    try {
      for (const input of this.reader.push(chunk)) {
        // Anything the client sends (RTCP receiver reports included) shows it is alive.
        for (const s of this.owned) s.lastActive = Date.now();
        if (input.kind === 'interleaved' && this.recording?.transport.kind === 'tcp' && input.channel === this.recording.transport.channels[0]) {
          this.recording.receive(input.data);
        }
        if (input.kind !== 'request') continue;
        // In order, one at a time: DESCRIBE may wait for a mount's first keyframe.
        this.queue = this.queue.then(() => this.handle(input)).catch(() => {
          this.socket.destroy();
        });
      }
    } catch {
      // Not RTSP, or a stream this server cannot take: this client goes, the server stays.
      this.socket.destroy();
    }
  }

  private onClose(): void {
    // Interleaved sessions die with their connection; UDP sessions live on until TEARDOWN or their timeout.
    for (const session of this.owned) if (session.transport.kind === 'tcp') this.end(session);
    this.owned.clear();
    void this.unpublish();
  }

  /** The publisher left: its mount closes (and disconnects its viewers). */
  private async unpublish(): Promise<void> {
    const announced = this.announced;
    const recording = this.recording;
    this.announced = undefined;
    this.recording = undefined;
    if (recording?.transport.kind === 'udp') this.ctx.udpReceivers.delete(this.udpKey(recording.transport.clientPorts[0]));
    await announced?.mount.close();
  }

  private udpKey(port: number): string {
    return `${this.remoteHost()}:${port}`;
  }

  private end(session: RtspSession): void {
    this.ctx.sessions.delete(session.id);
    this.ctx.mount(session.path)?.remove(session);
    this.owned.delete(session);
  }

  private async handle(req: RtspRequest): Promise<void> {
    const cseq = req.headers.get('cseq');
    const reply = (status: number, headers: Record<string, string | number | undefined> = {}, body = ''): void => {
      if (!this.socket.destroyed) this.socket.write(formatResponse(status, { CSeq: cseq, Server: 'nullcam', ...headers }, body));
    };
    const sessionId = req.headers.get('session')?.split(';')[0].trim();
    const session = sessionId ? this.ctx.sessions.get(sessionId) : undefined;
    if (session) session.lastActive = Date.now();
    const methods = this.ctx.allowPublish ? PUBLISH_METHODS : PLAY_METHODS;
    if (req.method === 'OPTIONS') return reply(200, { Public: methods });
    const auth = this.ctx.auth;
    if (auth && !auth.verify(req.method, req.headers.get('authorization'))) return reply(401, { 'WWW-Authenticate': auth.challenge() });
    const path = mountPath(req.url);
    const base = aggregateUrl(req.url);
    switch (req.method) {
      case 'DESCRIBE': {
        const mount = this.ctx.mount(path);
        if (!mount) return reply(404);
        await mount.whenDescribable(DESCRIBE_WAIT_MS);
        const sdp = sessionSdp({ address: this.socket.localAddress ?? '0.0.0.0', ...(mount.video.sps ? { sps: mount.video.sps } : {}), ...(mount.video.pps ? { pps: mount.video.pps } : {}), ...(mount.audio ? { audio: mount.audio } : {}) });
        return reply(200, { 'Content-Type': 'application/sdp', 'Content-Base': `${base}/` }, sdp);
      }
      case 'SETUP': {
        const mount = this.ctx.mount(path);
        if (!mount && !this.announced) return reply(404);
        const transport = parseTransport(req.headers.get('transport'), this.nextChannel);
        if (!transport) return reply(461);
        if (transport.kind === 'tcp') this.nextChannel = transport.channels[1] + 1;
        if (transport.record) return this.setupRecord(transport, req.url, sessionId, reply);
        if (!mount) return reply(404);
        const kind = trackOf(req.url);
        if (kind === 'audio' && !mount.audio) return reply(404);
        // A second track joins the session the request names (RFC 2326 §10.4).
        if (sessionId && (!session || session.path !== path)) return reply(454);
        const target = session ?? this.createSession(path, mount);
        const ssrc = kind === 'audio' ? mount.audioSsrc : mount.video.ssrc;
        target.setup(kind, transport, this.output(transport), ssrc, kind === 'audio' ? mount.audio : undefined);
        return reply(200, {
          Session: `${target.id};timeout=${this.ctx.sessionTimeoutS}`,
          Transport: formatTransport(transport, this.ctx.udp.ports, ssrc),
        });
      }
      case 'ANNOUNCE': {
        if (!this.ctx.allowPublish) return reply(405, { Allow: methods });
        const track = parseH264Sdp(req.body.toString('utf8'));
        if (!track) return reply(415);
        const mount = this.announced ? undefined : this.ctx.publish(path);
        // Someone publishes there already, or the path is the application's own.
        if (!mount) return reply(455);
        mount.video.sps = track.sps;
        mount.video.pps = track.pps;
        this.announced = { path, mount };
        return reply(200);
      }
      case 'RECORD':
        if (!this.recording || sessionId !== this.recording.id) return reply(454);
        this.recording.start();
        return reply(200, { Session: this.recording.id });
      case 'PLAY': {
        if (!session) return reply(454);
        const rtpInfo = session.play().map((t) => `url=${base}/${t.kind === 'audio' ? AUDIO_TRACK_CONTROL : TRACK_CONTROL};seq=${t.seq}${t.rtptime === undefined ? '' : `;rtptime=${t.rtptime}`}`);
        return reply(200, { Session: session.id, Range: 'npt=0.000-', 'RTP-Info': rtpInfo.join(',') });
      }
      case 'PAUSE':
        if (!session) return reply(454);
        session.pause();
        return reply(200, { Session: session.id });
      case 'TEARDOWN':
        if (this.recording && sessionId === this.recording.id) await this.unpublish();
        if (session) this.end(session);
        return reply(200, session ? { Session: session.id } : {});
      case 'GET_PARAMETER':
      case 'SET_PARAMETER':
        // Keep-alive (RFC 2326 §10.8): the session was refreshed above.
        return reply(200, session ? { Session: session.id } : {});
      default:
        return reply(501, { Allow: methods });
    }
  }

  private createSession(path: string, mount: RtspMount): RtspSession {
    const created = new RtspSession(path, () => {
      this.end(created);
      this.socket.destroy();
    });
    this.ctx.sessions.set(created.id, created);
    this.owned.add(created);
    mount.add(created);
    return created;
  }

  private setupRecord(transport: RtspTransport, url: string, sessionId: string | undefined, reply: (status: number, headers?: Record<string, string | number | undefined>) => void): void {
    // The publisher names its track with its own control suffix (trackID=0, streamid=0, …) under the path.
    if (!this.announced || !`${pathOf(url)}/`.startsWith(`${this.announced.path}/`)) return reply(455);
    if (this.recording) {
      // A further track (the publisher's audio): accepted so the publisher can go on, not carried. Publishing
      // to this server serves tests and local relays of video; the proxy serves its cameras' audio itself.
      if (sessionId !== this.recording.id) return reply(455);
      return reply(200, { Session: `${this.recording.id};timeout=${this.ctx.sessionTimeoutS}`, Transport: formatTransport(transport, this.ctx.udp.ports) });
    }
    const recording = new RtspRecordSession(transport, this.announced.mount);
    this.recording = recording;
    if (transport.kind === 'udp') this.ctx.udpReceivers.set(this.udpKey(transport.clientPorts[0]), (packet) => recording.receive(packet));
    reply(200, { Session: `${recording.id};timeout=${this.ctx.sessionTimeoutS}`, Transport: formatTransport(transport, this.ctx.udp.ports) });
  }

  private output(transport: RtspTransport): RtpOutput {
    if (transport.kind === 'tcp') {
      const channel = transport.channels[0];
      return {
        send: (packet) => this.socket.write(interleavedFrame(channel, packet)),
        sendRtcp: (packet) => this.socket.write(interleavedFrame(transport.channels[1], packet)),
        congested: () => this.socket.writableLength > MAX_UNSENT_BYTES,
      };
    }
    const { rtp, rtcp } = this.ctx.udp;
    const host = this.remoteHost();
    const port = transport.clientPorts[0];
    return { send: (packet) => rtp.send(packet, port, host), sendRtcp: (packet) => rtcp.send(packet, transport.clientPorts[1], host), congested: () => false };
  }

  /** The client's address as the UDP socket sees it (an IPv4 socket does not take ::ffff: mapped forms). */
  private remoteHost(): string {
    const remote = this.socket.remoteAddress ?? '127.0.0.1';
    return this.ctx.udp.rtp.address().family === 'IPv4' ? remote.replace(/^::ffff:/, '') : remote;
  }
}

/** A track's control suffix (trackID=0 video, trackID=1 audio) at the end of a URL path. */
const TRACK_SUFFIX = /\/trackID=\d+$/;

/** `rtsp://h:p/cam/trackID=0?x` → `/cam`: the mount a request is for. */
export function mountPath(url: string): string {
  return `/${pathOf(url).replace(TRACK_SUFFIX, '').replace(/^\/+|\/+$/g, '')}`;
}

/** The track a SETUP names: the audio's control, or else the video (its control, or the aggregate URL). */
function trackOf(url: string): TrackKind {
  return pathOf(url).endsWith(`/${AUDIO_TRACK_CONTROL}`) ? 'audio' : 'video';
}

/** The request URL without query, trailing slash or track control: the Content-Base (less its slash). */
function aggregateUrl(url: string): string {
  return url.replace(/[?#].*$/, '').replace(/\/+$/, '').replace(TRACK_SUFFIX, '');
}

function pathOf(url: string): string {
  try {
    return decodeURIComponent(new URL(url).pathname).replace(/\/+$/, '');
  } catch {
    return url;
  }
}
