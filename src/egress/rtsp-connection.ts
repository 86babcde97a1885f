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
import { RtspSession, type RtpOutput } from './rtsp-session.js';
import { formatTransport, parseTransport } from './rtsp-transport.js';
import { h264Sdp, TRACK_CONTROL } from './sdp.js';

/** What a connection needs from its server. */
export interface RtspServerContext {
  readonly auth: RtspAuthenticator | undefined;
  readonly udp: RtpUdpPorts;
  readonly sessionTimeoutS: number;
  readonly sessions: Map<string, RtspSession>;
  mount(path: string): RtspMount | undefined;
}

const PUBLIC = 'OPTIONS, DESCRIBE, SETUP, PLAY, PAUSE, TEARDOWN, GET_PARAMETER, SET_PARAMETER';
/**
 * Bytes a TCP client may have unread before it skips to the next keyframe. Chosen, not measured: about
 * two seconds at 4 Mbit/s, more than one keyframe at 1080p, so a healthy client never trips it.
 */
const MAX_UNSENT_BYTES = 1 << 20;
/** How long DESCRIBE waits for the first SPS/PPS of a mount that has not been written yet. */
const DESCRIBE_WAIT_MS = 2000;

export class RtspConnection {
  private readonly reader = new RtspReader();
  /** Sessions set up on this connection. */
  private readonly owned = new Set<RtspSession>();
  private queue: Promise<void> = Promise.resolve();
  private nextChannel = 0;

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
    let inputs;
    try {
      inputs = this.reader.push(chunk);
    } catch {
      this.socket.destroy();
      return;
    }
    for (const input of inputs) {
      // Anything the client sends (RTCP receiver reports included) shows it is alive.
      for (const s of this.owned) s.lastActive = Date.now();
      if (input.kind !== 'request') continue;
      // In order, one at a time: DESCRIBE may wait for a mount's first keyframe.
      this.queue = this.queue.then(() => this.handle(input)).catch(() => {
        this.socket.destroy();
      });
    }
  }

  private onClose(): void {
    // Interleaved sessions die with their connection; UDP sessions live on until TEARDOWN or their timeout.
    for (const session of this.owned) if (session.transport.kind === 'tcp') this.end(session);
    this.owned.clear();
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
    if (req.method === 'OPTIONS') return reply(200, { Public: PUBLIC });
    const auth = this.ctx.auth;
    if (auth && !auth.verify(req.method, req.headers.get('authorization'))) return reply(401, { 'WWW-Authenticate': auth.challenge() });
    const path = mountPath(req.url);
    const base = aggregateUrl(req.url);
    switch (req.method) {
      case 'DESCRIBE': {
        const mount = this.ctx.mount(path);
        if (!mount) return reply(404);
        await mount.parameterSetsKnown(DESCRIBE_WAIT_MS);
        const sdp = h264Sdp({ address: this.socket.localAddress ?? '0.0.0.0', ...(mount.sps ? { sps: mount.sps } : {}), ...(mount.pps ? { pps: mount.pps } : {}) });
        return reply(200, { 'Content-Type': 'application/sdp', 'Content-Base': `${base}/` }, sdp);
      }
      case 'SETUP': {
        const mount = this.ctx.mount(path);
        if (!mount) return reply(404);
        const transport = parseTransport(req.headers.get('transport'), this.nextChannel);
        if (!transport || transport.record) return reply(461);
        if (transport.kind === 'tcp') this.nextChannel = transport.channels[1] + 1;
        const created = new RtspSession(path, transport, this.output(transport), () => {
          this.end(created);
          this.socket.destroy();
        });
        this.ctx.sessions.set(created.id, created);
        this.owned.add(created);
        mount.add(created);
        return reply(200, {
          Session: `${created.id};timeout=${this.ctx.sessionTimeoutS}`,
          Transport: formatTransport(transport, this.ctx.udp.ports, mount.ssrc),
        });
      }
      case 'PLAY': {
        if (!session) return reply(454);
        const info = session.play();
        const rtptime = info.rtptime === undefined ? '' : `;rtptime=${info.rtptime}`;
        return reply(200, { Session: session.id, Range: 'npt=0.000-', 'RTP-Info': `url=${base}/${TRACK_CONTROL};seq=${info.seq}${rtptime}` });
      }
      case 'PAUSE':
        if (!session) return reply(454);
        session.pause();
        return reply(200, { Session: session.id });
      case 'TEARDOWN':
        if (session) this.end(session);
        return reply(200, session ? { Session: session.id } : {});
      case 'GET_PARAMETER':
      case 'SET_PARAMETER':
        // Keep-alive (RFC 2326 §10.8): the session was refreshed above.
        return reply(200, session ? { Session: session.id } : {});
      default:
        return reply(req.method === 'ANNOUNCE' || req.method === 'RECORD' ? 405 : 501, { Allow: PUBLIC });
    }
  }

  private output(transport: ReturnType<typeof parseTransport> & object): RtpOutput {
    if (transport.kind === 'tcp') {
      const channel = transport.channels[0];
      return {
        send: (packet) => this.socket.write(interleavedFrame(channel, packet)),
        congested: () => this.socket.writableLength > MAX_UNSENT_BYTES,
      };
    }
    const { rtp } = this.ctx.udp;
    const ipv4 = rtp.address().family === 'IPv4';
    const remote = this.socket.remoteAddress ?? '127.0.0.1';
    const host = ipv4 ? remote.replace(/^::ffff:/, '') : remote;
    const port = transport.clientPorts[0];
    return { send: (packet) => rtp.send(packet, port, host), congested: () => false };
  }
}

/** `rtsp://h:p/cam/trackID=0?x` → `/cam`: the mount a request is for. */
export function mountPath(url: string): string {
  return `/${pathOf(url).replace(new RegExp(`/${TRACK_CONTROL}$`), '').replace(/^\/+|\/+$/g, '')}`;
}

/** The request URL without query, trailing slash or track control: the Content-Base (less its slash). */
function aggregateUrl(url: string): string {
  return url.replace(/[?#].*$/, '').replace(/\/+$/, '').replace(new RegExp(`/${TRACK_CONTROL}$`), '');
}

function pathOf(url: string): string {
  try {
    return decodeURIComponent(new URL(url).pathname).replace(/\/+$/, '');
  } catch {
    return url;
  }
}
