/**
 * RTSP 1.0 messages (RFC 2326 §6–7): requests and responses as values, their wire form, and a reader that
 * splits a connection's bytes into messages and interleaved RTP/RTCP frames.
 */
import { NullcamError } from '../errors.js';
import { INTERLEAVED_MAGIC, readInterleavedFrame, type InterleavedFrame } from './rtsp-interleaved.js';

/** Header names are lower-cased. */
export type RtspHeaders = ReadonlyMap<string, string>;

export interface RtspRequest {
  readonly kind: 'request';
  readonly method: string;
  readonly url: string;
  readonly headers: RtspHeaders;
  readonly body: Buffer;
}

export interface RtspResponse {
  readonly kind: 'response';
  readonly status: number;
  readonly reason: string;
  readonly headers: RtspHeaders;
  readonly body: Buffer;
}

export type RtspInput = RtspRequest | RtspResponse | ({ readonly kind: 'interleaved' } & InterleavedFrame);

/** A message header larger than this is an attack or not RTSP; the connection is dropped. */
const MAX_HEADER_BYTES = 16 * 1024;
const MAX_BODY_BYTES = 1024 * 1024;

export const REASONS: Readonly<Record<number, string>> = {
  200: 'OK',
  400: 'Bad Request',
  401: 'Unauthorized',
  404: 'Not Found',
  405: 'Method Not Allowed',
  454: 'Session Not Found',
  455: 'Method Not Valid in This State',
  459: 'Aggregate Operation Not Allowed',
  415: 'Unsupported Media Type',
  461: 'Unsupported Transport',
  500: 'Internal Server Error',
  501: 'Not Implemented',
  503: 'Service Unavailable',
  505: 'RTSP Version Not Supported',
};

type HeaderValues = Readonly<Record<string, string | number | undefined>>;

export function formatResponse(status: number, headers: HeaderValues, body = ''): Buffer {
  return format(`RTSP/1.0 ${status} ${REASONS[status] ?? 'Unknown'}`, headers, body);
}

export function formatRequest(method: string, url: string, headers: HeaderValues, body = ''): Buffer {
  return format(`${method} ${url} RTSP/1.0`, headers, body);
}

function format(startLine: string, headers: HeaderValues, body: string): Buffer {
  const lines = [startLine];
  for (const [name, value] of Object.entries(headers)) if (value !== undefined) lines.push(`${name}: ${value}`);
  if (body) lines.push(`Content-Length: ${Buffer.byteLength(body)}`);
  return Buffer.from(`${lines.join('\r\n')}\r\n\r\n${body}`);
}

/** Incremental parser for one connection's bytes. */
export class RtspReader {
  private buffer: Buffer = Buffer.alloc(0);

  /**
   * @returns the complete messages and frames in this chunk and what was left over before it
   * @throws NullcamError on malformed or oversized input (the caller closes the connection)
   */
  push(chunk: Buffer): RtspInput[] {
    this.buffer = this.buffer.length > 0 ? Buffer.concat([this.buffer, chunk]) : chunk;
    const out: RtspInput[] = [];
    let at = 0;
    while (at < this.buffer.length) {
      if (this.buffer[at] === INTERLEAVED_MAGIC) {
        const read = readInterleavedFrame(this.buffer, at);
        if (!read) break;
        out.push({ kind: 'interleaved', ...read.frame, data: Buffer.from(read.frame.data) });
        at = read.next;
        continue;
      }
      // Blank lines between messages are allowed (RFC 2326 §15.1 keep-alive style CRLFs).
      if (this.buffer[at] === 0x0d || this.buffer[at] === 0x0a) {
        at++;
        continue;
      }
      const headerEnd = this.buffer.indexOf('\r\n\r\n', at);
      if (headerEnd < 0) {
        if (this.buffer.length - at > MAX_HEADER_BYTES) throw new NullcamError('RTSP message header too large', 1);
        break;
      }
      const head = this.buffer.subarray(at, headerEnd).toString('utf8');
      const [startLine, ...lines] = head.split('\r\n');
      const headers = new Map<string, string>();
      for (const line of lines) {
        const colon = line.indexOf(':');
        if (colon <= 0) continue;
        const name = line.slice(0, colon).trim().toLowerCase();
        const value = line.slice(colon + 1).trim();
        // A repeated header (WWW-Authenticate offering Basic and Digest) keeps every value, one per line.
        headers.set(name, headers.has(name) ? `${headers.get(name)}\n${value}` : value);
      }
      const length = Number(headers.get('content-length') ?? 0);
      if (!Number.isInteger(length) || length < 0 || length > MAX_BODY_BYTES) throw new NullcamError(`bad RTSP Content-Length "${headers.get('content-length')}"`, 1);
      const bodyStart = headerEnd + 4;
      if (this.buffer.length < bodyStart + length) break;
      const body = Buffer.from(this.buffer.subarray(bodyStart, bodyStart + length));
      out.push(parseStartLine(startLine, headers, body));
      at = bodyStart + length;
    }
    this.buffer = at === this.buffer.length ? Buffer.alloc(0) : this.buffer.subarray(at);
    return out;
  }
}

function parseStartLine(line: string, headers: RtspHeaders, body: Buffer): RtspRequest | RtspResponse {
  const response = /^RTSP\/1\.0 (\d{3}) ?(.*)$/.exec(line);
  if (response) return { kind: 'response', status: Number(response[1]), reason: response[2], headers, body };
  const request = /^([A-Z_]+) (\S+) RTSP\/(\d\.\d)$/.exec(line);
  if (!request) throw new NullcamError(`not an RTSP message: "${line.slice(0, 80)}"`, 1);
  return { kind: 'request', method: request[1], url: request[2], headers, body };
}
