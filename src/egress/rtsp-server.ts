/**
 * nullcam's RTSP 1.0 server (RFC 2326): serves H.264 mounts over RTP (RFC 6184), via UDP or interleaved in
 * the TCP connection, to any number of clients, optionally behind Basic or Digest authentication.
 *
 * @example
 * const server = await RtspServer.listen({ port: 8554 });      // 127.0.0.1 unless host is given
 * const cam = server.mount('/cam1');
 * cam.write({ nalus, pts90k, keyframe });                      // ffplay rtsp://127.0.0.1:8554/cam1
 */
import net from 'node:net';
import { NullcamError } from '../errors.js';
import { SENDER_REPORT_INTERVAL_MS } from './rtcp-sender-report.js';
import { bindRtpUdpPorts, type RtpUdpPorts } from './rtp-udp-ports.js';
import { RtspAuthenticator, type RtspCredentials } from './rtsp-auth.js';
import { RtspConnection, type RtspServerContext } from './rtsp-connection.js';
import { RtspMount } from './rtsp-mount.js';
import type { RtspSession } from './rtsp-session.js';

export interface RtspServerOptions {
  /** Address to bind; default 127.0.0.1 (use 0.0.0.0 to serve other machines). */
  readonly host?: string;
  /** TCP port; 0 picks a free one (read it back from `port`). */
  readonly port: number;
  /** Require these credentials for everything but OPTIONS; default: no authentication. */
  readonly auth?: RtspCredentials;
  /** Seconds without a request or RTCP after which a UDP session is dropped; default 60 (RFC 2326 §12.37). */
  readonly sessionTimeoutS?: number;
  /** Largest RTP packet, header included; default 1400. */
  readonly maxPacketBytes?: number;
  /**
   * Let clients publish (ANNOUNCE/RECORD, as to mediamtx) to paths that are not mounted; the path is
   * served while the publisher stays. Default false.
   */
  readonly allowPublish?: boolean;
}

export class RtspServer {
  private readonly mounts = new Map<string, RtspMount>();
  private readonly connections = new Set<RtspConnection>();
  private readonly sessions = new Map<string, RtspSession>();
  private readonly udpReceivers = new Map<string, (packet: Buffer) => void>();
  private readonly sweeper: NodeJS.Timeout;
  private readonly reporter: NodeJS.Timeout;

  private constructor(
    private readonly server: net.Server,
    private readonly udp: RtpUdpPorts,
    private readonly options: RtspServerOptions,
  ) {
    const timeoutS = options.sessionTimeoutS ?? 60;
    const ctx: RtspServerContext = {
      auth: options.auth ? new RtspAuthenticator(options.auth) : undefined,
      udp,
      sessionTimeoutS: timeoutS,
      sessions: this.sessions,
      mount: (path) => this.mounts.get(path),
      allowPublish: options.allowPublish ?? false,
      publish: (path) => (this.mounts.has(path) ? undefined : this.mount(path)),
      udpReceivers: this.udpReceivers,
    };
    server.on('connection', (socket) => {
      const connection = new RtspConnection(socket, ctx);
      this.connections.add(connection);
      socket.on('close', () => this.connections.delete(connection));
    });
    // RTCP receiver reports (and NAT-opening packets) from a UDP client keep its session alive.
    udp.rtp.on('message', (packet: Buffer, from: { address: string; port: number }) => {
      try {
        this.udpReceivers.get(`${from.address}:${from.port}`)?.(packet);
      } catch {
        // A publisher whose mount was closed: its packets are dropped until it leaves.
      }
    });
    const touch = (_: Buffer, from: { address: string; port: number }): void => {
      for (const s of this.sessions.values()) {
        if (s.transport.kind === 'udp' && s.clientPorts.includes(from.port)) s.lastActive = Date.now();
      }
    };
    udp.rtp.on('message', touch);
    udp.rtcp.on('message', touch);
    this.sweeper = setInterval(() => this.expire(timeoutS * 1000), Math.min(5000, (timeoutS * 1000) / 2));
    this.sweeper.unref();
    // One report per track per interval.
    this.reporter = setInterval(() => {
      const now = Date.now();
      for (const session of this.sessions.values()) session.report(now);
    }, SENDER_REPORT_INTERVAL_MS);
    this.reporter.unref();
  }

  /**
   * Starts listening.
   * @throws NullcamError (one line) when the port is in use or may not be bound
   */
  static async listen(options: RtspServerOptions): Promise<RtspServer> {
    const host = options.host ?? '127.0.0.1';
    const server = net.createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port, host, () => {
        server.off('error', reject);
        resolve();
      });
    }).catch((error: NodeJS.ErrnoException) => {
      const what = `RTSP port ${options.port} on ${host}`;
      if (error.code === 'EADDRINUSE') throw new NullcamError(`${what} is already in use; stop the other server or choose another port.`, 1, { cause: error });
      if (error.code === 'EACCES') throw new NullcamError(`${what} may not be bound by this user; choose a port above 1023.`, 1, { cause: error });
      throw new NullcamError(`Cannot listen on ${what} (${error.code ?? error.message}); check the address.`, 1, { cause: error });
    });
    let udp: RtpUdpPorts;
    try {
      udp = await bindRtpUdpPorts(host);
    } catch (error) {
      server.close();
      throw new NullcamError(`Cannot bind UDP ports for RTP on ${host}; free some ports or use TCP only.`, 1, { cause: error });
    }
    return new RtspServer(server, udp, options);
  }

  get port(): number {
    return (this.server.address() as net.AddressInfo).port;
  }

  /**
   * Serves a stream at `path` (e.g. "/cam1", the URL rtsp://host:port/cam1).
   * @throws NullcamError if the path is already mounted
   */
  mount(path: string): RtspMount {
    const key = `/${path.replace(/^\/+|\/+$/g, '')}`;
    if (this.mounts.has(key)) throw new NullcamError(`RTSP path ${key} is already served; give each stream its own path.`, 2);
    const mount = new RtspMount(key, (m) => this.mounts.get(key) === m && this.mounts.delete(key), this.options.maxPacketBytes);
    this.mounts.set(key, mount);
    return mount;
  }

  /** Ends every session and connection and stops listening. */
  async close(): Promise<void> {
    clearInterval(this.sweeper);
    clearInterval(this.reporter);
    for (const mount of [...this.mounts.values()]) await mount.close();
    for (const connection of this.connections) connection.close();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    await this.udp.close();
  }

  private expire(timeoutMs: number): void {
    const now = Date.now();
    for (const session of [...this.sessions.values()]) {
      if (session.transport.kind === 'udp' && now - session.lastActive > timeoutMs) {
        this.sessions.delete(session.id);
        this.mounts.get(session.path)?.remove(session);
      }
    }
  }
}
