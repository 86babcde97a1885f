/**
 * The client side of an RTSP control connection: one request at a time with CSeq and Session, answering a
 * 401 challenge once with the URL's credentials (Digest preferred), and interleaved frames written out.
 */
import net from 'node:net';
import { NullcamError } from '../errors.js';
import { redactUrl } from '../ingest/redact-url.js';
import { authorizationFor } from './rtsp-auth.js';
import { formatRequest, RtspReader, type RtspResponse } from './rtsp-message.js';

/** A server that has not answered in this long is treated as gone. */
const REQUEST_TIMEOUT_MS = 10_000;

export interface RtspTarget {
  /** The URL without credentials, as sent in requests. */
  readonly url: string;
  readonly host: string;
  readonly port: number;
  readonly username?: string;
  readonly password?: string;
}

/**
 * @throws NullcamError for a URL that is not rtsp://
 * @example
 * parseRtspUrl('rtsp://u:p%40ss@cam:8554/live') // { url: 'rtsp://cam:8554/live', host: 'cam', port: 8554, username: 'u', password: 'p@ss' }
 */
export function parseRtspUrl(url: string): RtspTarget {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    parsed = new URL('invalid:');
  }
  if (parsed.protocol !== 'rtsp:' || !parsed.hostname) throw new NullcamError(`Expected an rtsp://HOST[:PORT]/PATH URL but received "${redactUrl(url)}".`, 2);
  const host = parsed.hostname.replace(/^\[|\]$/g, '');
  const port = parsed.port ? Number(parsed.port) : 554;
  const clean = `rtsp://${parsed.host}${parsed.pathname}${parsed.search}`;
  return {
    url: clean,
    host,
    port,
    ...(parsed.username ? { username: decodeURIComponent(parsed.username), password: decodeURIComponent(parsed.password) } : {}),
  };
}

export class RtspClientConnection {
  private readonly reader = new RtspReader();
  private cseq = 0;
  private queue: Promise<unknown> = Promise.resolve();
  private waiting: { resolve: (r: RtspResponse) => void; reject: (e: Error) => void } | undefined;
  private challenge: string | undefined;
  private closeError: NullcamError | undefined;
  private readonly closeListeners: Array<(error: NullcamError) => void> = [];
  /** Session id once SETUP answered one; sent with every later request. */
  session: string | undefined;

  private constructor(
    readonly socket: net.Socket,
    readonly target: RtspTarget,
  ) {
    socket.setNoDelay(true);
    socket.on('data', (chunk) => this.onData(chunk));
    socket.on('error', (error) => this.fail(this.error(`connection failed (${(error as NodeJS.ErrnoException).code ?? error.message})`)));
    socket.on('close', () => this.fail(this.error('the server closed the connection')));
  }

  /** @throws NullcamError (one line) when the server cannot be reached */
  static connect(target: RtspTarget, timeoutMs = 5000): Promise<RtspClientConnection> {
    return new Promise((resolve, reject) => {
      const socket = net.connect({ host: target.host, port: target.port });
      const timer = setTimeout(() => socket.destroy(Object.assign(new Error('timed out'), { code: 'ETIMEDOUT' })), timeoutMs);
      socket.once('error', (error: NodeJS.ErrnoException) => {
        clearTimeout(timer);
        reject(new NullcamError(`Cannot reach RTSP server ${target.host}:${target.port} (${error.code ?? error.message}); check the address and that the server is running.`, 1, { cause: error }));
      });
      socket.once('connect', () => {
        clearTimeout(timer);
        socket.removeAllListeners('error');
        resolve(new RtspClientConnection(socket, target));
      });
    });
  }

  /** Called once when the connection ends for any reason. */
  onClose(listener: (error: NullcamError) => void): void {
    this.closeListeners.push(listener);
  }

  /**
   * Sends a request and waits for its answer; a 401 is answered once with the URL's credentials.
   * @throws NullcamError when the connection is gone, or the server does not answer in time
   */
  request(method: string, url: string, headers: Record<string, string | undefined> = {}, body = ''): Promise<RtspResponse> {
    const run = async (): Promise<RtspResponse> => {
      let response = await this.send(method, url, headers, body);
      if (response.status === 401 && this.target.username !== undefined && !this.challenge) {
        const offers = (response.headers.get('www-authenticate') ?? '').split('\n');
        this.challenge = offers.find((o) => /^digest /i.test(o)) ?? offers.find((o) => /^basic /i.test(o));
        if (this.challenge) response = await this.send(method, url, headers, body);
      }
      if (response.status === 401) throw new NullcamError(`RTSP server ${redactUrl(this.target.url)} refused the credentials (401); check the user name and password in the URL.`, 1);
      return response;
    };
    const result = this.queue.then(run, run);
    this.queue = result.catch(() => {});
    return result;
  }

  /** Writes raw bytes (interleaved frames) on the connection. @returns false while the kernel buffer is full */
  write(bytes: Buffer): boolean {
    return this.socket.write(bytes);
  }

  get unsentBytes(): number {
    return this.socket.writableLength;
  }

  close(): void {
    this.socket.destroy();
  }

  private send(method: string, url: string, headers: Record<string, string | undefined>, body: string): Promise<RtspResponse> {
    if (this.closeError) return Promise.reject(this.closeError);
    const auth = this.challenge && this.target.username !== undefined ? authorizationFor(this.challenge, { username: this.target.username, password: this.target.password ?? '' }, method, url) : undefined;
    return new Promise<RtspResponse>((resolve, reject) => {
      const timer = setTimeout(() => this.fail(this.error(`no answer to ${method} within ${REQUEST_TIMEOUT_MS / 1000} s`)), REQUEST_TIMEOUT_MS);
      this.waiting = {
        resolve: (r) => (clearTimeout(timer), resolve(r)),
        reject: (e) => (clearTimeout(timer), reject(e)),
      };
      this.socket.write(formatRequest(method, url, { CSeq: ++this.cseq, 'User-Agent': 'nullcam', Session: this.session, Authorization: auth, ...headers }, body));
    });
  }

  private onData(chunk: Buffer): void {
    let inputs;
    try {
      inputs = this.reader.push(chunk);
    } catch (error) {
      this.fail(this.error(`sent something that is not RTSP (${(error as Error).message})`));
      return;
    }
    for (const input of inputs) {
      // Interleaved RTCP from the server and requests it might send are not needed by a publisher.
      if (input.kind !== 'response') continue;
      const waiting = this.waiting;
      this.waiting = undefined;
      waiting?.resolve(input);
    }
  }

  private fail(error: NullcamError): void {
    if (this.closeError) return;
    this.closeError = error;
    this.socket.destroy();
    this.waiting?.reject(error);
    this.waiting = undefined;
    for (const listener of this.closeListeners) listener(error);
  }

  private error(what: string): NullcamError {
    return new NullcamError(`RTSP server ${redactUrl(this.target.url)}: ${what}.`, 1);
  }
}
