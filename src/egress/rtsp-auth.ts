/**
 * RTSP authentication: Basic (RFC 7617) and Digest with MD5 (RFC 2617 §3.2.2; RFC 7616), on both sides.
 * The server's nonces are stateless (random part + HMAC of it under a per-server key), so any nonce it
 * handed out stays valid for as long as the server runs and a forged one is refused. The challenge offers
 * no qop (RFC 2069 compatible, as GStreamer and most cameras expect), and a qop=auth answer is accepted.
 */
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export interface RtspCredentials {
  readonly username: string;
  readonly password: string;
  /** default 'digest' (the password never crosses the wire) */
  readonly scheme?: 'basic' | 'digest';
}

export const md5 = (s: string): string => createHash('md5').update(s).digest('hex');

export interface DigestInput {
  readonly username: string;
  readonly password: string;
  readonly realm: string;
  readonly nonce: string;
  readonly method: string;
  readonly uri: string;
  readonly qop?: string;
  readonly nc?: string;
  readonly cnonce?: string;
}

/** The `response` value (RFC 2617 §3.2.2.1). */
export function digestResponse(d: DigestInput): string {
  const ha1 = md5(`${d.username}:${d.realm}:${d.password}`);
  const ha2 = md5(`${d.method}:${d.uri}`);
  return d.qop ? md5(`${ha1}:${d.nonce}:${d.nc}:${d.cnonce}:${d.qop}:${ha2}`) : md5(`${ha1}:${d.nonce}:${ha2}`);
}

/** `Digest realm="x", nonce="y"` → { realm: 'x', nonce: 'y' } (names lower-cased). */
export function parseAuthParams(value: string): Record<string, string> {
  const params: Record<string, string> = {};
  for (const m of value.matchAll(/([A-Za-z0-9_-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,]+))/g)) {
    params[m[1].toLowerCase()] = m[2] !== undefined ? m[2].replace(/\\(.)/g, '$1') : m[3];
  }
  return params;
}

export class RtspAuthenticator {
  private readonly key = randomBytes(32);
  private readonly scheme: 'basic' | 'digest';

  constructor(
    private readonly credentials: RtspCredentials,
    readonly realm = 'nullcam',
  ) {
    this.scheme = credentials.scheme ?? 'digest';
  }

  /** The WWW-Authenticate value of a 401 answer. */
  challenge(): string {
    if (this.scheme === 'basic') return `Basic realm="${this.realm}"`;
    const random = randomBytes(12).toString('hex');
    return `Digest realm="${this.realm}", nonce="${random}${this.sign(random)}", algorithm=MD5`;
  }

  /** @returns whether the request's Authorization header proves the credentials */
  verify(method: string, authorization: string | undefined): boolean {
    if (!authorization) return false;
    const space = authorization.indexOf(' ');
    const scheme = authorization.slice(0, space).toLowerCase();
    const rest = authorization.slice(space + 1).trim();
    if (this.scheme === 'basic') {
      return scheme === 'basic' && safeEqual(Buffer.from(rest, 'base64').toString('utf8'), `${this.credentials.username}:${this.credentials.password}`);
    }
    if (scheme !== 'digest') return false;
    const p = parseAuthParams(rest);
    if (!p.nonce || !p.uri || !p.response || p.username !== this.credentials.username || p.realm !== this.realm) return false;
    if (!safeEqual(p.nonce.slice(24), this.sign(p.nonce.slice(0, 24)))) return false;
    if (p.qop && p.qop !== 'auth') return false;
    const expected = digestResponse({
      ...this.credentials,
      realm: this.realm,
      nonce: p.nonce,
      method,
      uri: p.uri,
      ...(p.qop ? { qop: p.qop, nc: p.nc ?? '', cnonce: p.cnonce ?? '' } : {}),
    });
    return safeEqual(p.response.toLowerCase(), expected);
  }

  private sign(random: string): string {
    return createHmac('sha256', this.key).update(random).digest('hex').slice(0, 32);
  }
}

/**
 * The Authorization header a client sends after a 401, answering `challenge` (a WWW-Authenticate value).
 * @returns undefined for a scheme this client does not speak
 */
export function authorizationFor(challenge: string, credentials: Pick<RtspCredentials, 'username' | 'password'>, method: string, uri: string): string | undefined {
  const scheme = challenge.slice(0, challenge.indexOf(' ')).toLowerCase();
  if (scheme === 'basic') return `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64')}`;
  if (scheme !== 'digest') return undefined;
  const p = parseAuthParams(challenge.slice(challenge.indexOf(' ') + 1));
  const realm = p.realm ?? '';
  const nonce = p.nonce ?? '';
  const qop = p.qop?.split(',').map((q) => q.trim()).includes('auth') ? 'auth' : undefined;
  const cnonce = randomBytes(8).toString('hex');
  const response = digestResponse({ ...credentials, realm, nonce, method, uri, ...(qop ? { qop, nc: '00000001', cnonce } : {}) });
  const fields = [`username="${credentials.username}"`, `realm="${realm}"`, `nonce="${nonce}"`, `uri="${uri}"`, `response="${response}"`];
  if (qop) fields.push(`qop=${qop}`, 'nc=00000001', `cnonce="${cnonce}"`);
  if (p.opaque) fields.push(`opaque="${p.opaque}"`);
  return `Digest ${fields.join(', ')}`;
}

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
