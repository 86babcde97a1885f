/**
 * The `live.cameras` setting: the cameras one `nullcam proxy` process serves, each with its source and where
 * the anonymized stream goes. Validated strictly like every other field (unknown keys are errors).
 */
import { CLASSIC_MODES, type ClassicMode } from '../anonymize/anonymize-mode.js';
import { parseZones, type PrivacyZone } from '../anonymize/privacy-zones.js';
import { invalidParameterError, NullcamError } from '../errors.js';
import { LIVE_TRANSPORTS, type LiveTransport } from '../ingest/live-input-args.js';
import type { WebcamMode } from '../ingest/webcam-mode.js';
import { parseWebcamModeValue, type Field } from './config-field.js';

export interface LiveCamera {
  /** Label in logs and metrics; default cam1, cam2, … by position. */
  readonly name: string;
  /** Source: rtsp/rtmp/srt/http(s) URL or /dev/videoN (credentials allowed; never logged). */
  readonly url: string;
  /** rtsp://HOST:PORT/PATH nullcam's own server serves the camera at, or null. */
  readonly serve: string | null;
  /** rtsp://… of an existing RTSP server to push to (ANNOUNCE/RECORD), or null. */
  readonly publish: string | null;
  /** Anonymization mode; null: the top-level `mode`. */
  readonly mode: ClassicMode | null;
  /** RTSP transport for reading the camera; null: `live.transport`. */
  readonly transport: LiveTransport | null;
  /** Capture mode of a webcam source; null: `live.webcam`. */
  readonly webcam: WebcamMode | null;
  /** This camera's privacy zones; null: `anonymize.zones`. */
  readonly zones: readonly PrivacyZone[] | null;
}

const KEYS = ['name', 'url', 'serve', 'publish', 'mode', 'transport', 'webcam', 'zones'];
const RTSP_URL = /^rtsps?:\/\/[^/\s]+(\/\S*)?$/i;

export function liveCameraListField(doc: string): Field<readonly LiveCamera[]> {
  return {
    kind: 'field',
    default: [],
    doc,
    parse(value, key) {
      if (!Array.isArray(value)) throw invalidParameterError(key, 'an array of cameras ({"url": …, "serve": …})', value);
      const cameras = value.map((entry, i) => parseCamera(entry, `${key}[${i}]`, i));
      const names = new Set<string>();
      for (const c of cameras) {
        if (names.has(c.name)) throw new NullcamError(`Two cameras in ${key} are named "${c.name}"; give each a unique "name".`, 2);
        names.add(c.name);
      }
      return Object.freeze(cameras);
    },
  };
}

function parseCamera(entry: unknown, key: string, index: number): LiveCamera {
  if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) throw invalidParameterError(key, 'an object with "url" and "serve" or "publish"', entry);
  const e = entry as Record<string, unknown>;
  const unknown = Object.keys(e).filter((k) => !KEYS.includes(k));
  if (unknown.length) throw new NullcamError(`Unknown key "${unknown[0]}" in ${key}; a camera has ${KEYS.join(', ')}.`, 2);
  const text = (k: string, pattern?: RegExp): string | null => {
    const v = e[k];
    if (v === undefined || v === null) return null;
    if (typeof v !== 'string' || v === '' || (pattern && !pattern.test(v))) throw invalidParameterError(`${key}.${k}`, pattern ? 'an rtsp:// URL' : 'a non-empty string', v);
    return v;
  };
  const url = text('url');
  if (url === null) throw new NullcamError(`${key} has no "url"; give the camera's stream URL or /dev/videoN.`, 2);
  const serve = text('serve', RTSP_URL);
  const publish = text('publish', RTSP_URL);
  if (serve === null && publish === null) throw new NullcamError(`${key} has neither "serve" nor "publish"; say where the anonymized stream goes.`, 2);
  const mode = e.mode === undefined || e.mode === null ? null : oneOf(CLASSIC_MODES, e.mode, `${key}.mode`);
  const transport = e.transport === undefined || e.transport === null ? null : oneOf(LIVE_TRANSPORTS, e.transport, `${key}.transport`);
  const webcam = e.webcam === undefined ? null : parseWebcamModeValue(e.webcam, `${key}.webcam`);
  const zones = e.zones === undefined || e.zones === null ? null : parseZones(e.zones, `${key}.zones`);
  return Object.freeze({ name: text('name') ?? `cam${index + 1}`, url, serve, publish, mode, transport, webcam, zones });
}

function oneOf<T extends string>(values: readonly T[], v: unknown, key: string): T {
  if (typeof v === 'string' && (values as readonly string[]).includes(v)) return v as T;
  throw invalidParameterError(key, `one of ${values.join(', ')}`, v);
}
