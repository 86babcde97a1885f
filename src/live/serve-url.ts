/** `--serve rtsp://[user:pass@]HOST[:PORT]/PATH` → where nullcam's RTSP server listens and what it mounts. */
import { invalidParameterError } from '../errors.js';
import type { RtspCredentials } from '../egress/rtsp-auth.js';
import { redactUrl } from '../ingest/redact-url.js';

export interface ServeTarget {
  readonly host: string;
  readonly port: number;
  readonly path: string;
  /** Credentials clients must give (Digest), from the URL's user:pass. */
  readonly auth?: RtspCredentials;
}

/** RTSP's registered port. */
const DEFAULT_RTSP_PORT = 554;

/**
 * @example
 * parseServeUrl('rtsp://viewer:pw@0.0.0.0:8554/cam1') // { host: '0.0.0.0', port: 8554, path: '/cam1', auth: { username: 'viewer', password: 'pw' } }
 * @throws NullcamError for anything but an rtsp:// URL with a path
 */
export function parseServeUrl(text: string, name = '--serve'): ServeTarget {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw invalidParameterError(name, 'an rtsp://HOST:PORT/PATH URL', redactUrl(text));
  }
  if (url.protocol !== 'rtsp:' || url.pathname.length < 2) throw invalidParameterError(name, 'an rtsp://HOST:PORT/PATH URL', redactUrl(text));
  const host = url.hostname.replace(/^\[|\]$/g, '');
  return {
    host,
    port: url.port ? Number(url.port) : DEFAULT_RTSP_PORT,
    path: decodeURIComponent(url.pathname),
    ...(url.username ? { auth: { username: decodeURIComponent(url.username), password: decodeURIComponent(url.password) } } : {}),
  };
}
