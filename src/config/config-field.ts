/**
 * Typed config fields: each has a default, a one-sentence description (shown by --help and in
 * config/default.jsonc) and a strict parser that names the key and what it expected.
 */
import { parseZones, type PrivacyZone } from '../anonymize/privacy-zones.js';
import { invalidParameterError } from '../errors.js';
import { parseWebcamMode, type WebcamMode } from '../ingest/webcam-mode.js';

export interface Field<T> {
  readonly kind: 'field';
  readonly default: T;
  readonly doc: string;
  /** Parses a value from JSON or from a command-line string; throws a NullcamError naming `key`. */
  parse(value: unknown, key: string): T;
}

function field<T>(def: T, doc: string, parse: (value: unknown, key: string) => T): Field<T> {
  return { kind: 'field', default: def, doc, parse };
}

export function enumField<const T extends string>(values: readonly T[], def: T, doc: string): Field<T> {
  return field(def, `${doc} One of: ${values.join(', ')}.`, (v, key) => {
    if (typeof v === 'string' && (values as readonly string[]).includes(v)) return v as T;
    throw invalidParameterError(key, `one of ${values.join(', ')}`, v);
  });
}

export function numberField(def: number, doc: string, min: number, max: number, integer = false): Field<number> {
  return field(def, `${doc} (${integer ? 'integer ' : ''}${min}–${max})`, (v, key) => {
    const n = typeof v === 'string' && v.trim() !== '' ? Number(v) : v;
    if (typeof n !== 'number' || !Number.isFinite(n) || n < min || n > max || (integer && !Number.isInteger(n))) {
      throw invalidParameterError(key, `${integer ? 'an integer' : 'a number'} between ${min} and ${max}`, v);
    }
    return n;
  });
}

export function nullableNumberField(doc: string, min: number, max: number): Field<number | null> {
  const inner = numberField(0, doc, min, max);
  return field<number | null>(null, `${doc} (${min}–${max}, or null)`, (v, key) => (v === null || v === 'null' ? null : inner.parse(v, key)));
}

export function stringField(def: string, doc: string, pattern?: RegExp): Field<string> {
  return field(def, doc, (v, key) => {
    if (typeof v !== 'string' || (pattern && !pattern.test(v))) throw invalidParameterError(key, pattern ? `a string matching ${pattern}` : 'a string', v);
    return v;
  });
}

export function nullableStringField(doc: string): Field<string | null> {
  return field<string | null>(null, `${doc} (null: default)`, (v, key) => {
    if (v === null || typeof v === 'string') return v === '' ? null : v;
    throw invalidParameterError(key, 'a string or null', v);
  });
}

export function booleanField(def: boolean, doc: string): Field<boolean> {
  return field(def, doc, (v, key) => {
    if (typeof v === 'boolean') return v;
    if (v === 'true' || v === 'false') return v === 'true';
    throw invalidParameterError(key, 'true or false', v);
  });
}

export function stringListField(doc: string): Field<readonly string[]> {
  return field<readonly string[]>([], doc, (v, key) => {
    if (typeof v === 'string') return v.trim() === '' ? [] : v.trim().split(/\s+/);
    if (Array.isArray(v) && v.every((s) => typeof s === 'string')) return Object.freeze([...v]);
    throw invalidParameterError(key, 'an array of strings', v);
  });
}

export function zoneListField(doc: string): Field<readonly PrivacyZone[]> {
  return field<readonly PrivacyZone[]>([], doc, parseZones);
}

/** A webcam capture mode, "WIDTHxHEIGHT@FPS:FORMAT" with each part optional (webcam-mode.ts), or null. */
export function webcamModeField(doc: string): Field<WebcamMode | null> {
  return field<WebcamMode | null>(null, `${doc} (null: the device's current mode)`, (v, key) => parseWebcamModeValue(v, key));
}

export function parseWebcamModeValue(v: unknown, key: string): WebcamMode | null {
  if (v === null || v === 'null' || v === '') return null;
  const mode = typeof v === 'string' ? parseWebcamMode(v) : null;
  if (!mode) throw invalidParameterError(key, 'a webcam mode such as "1280x720@30:mjpeg" (WIDTHxHEIGHT@FPS:FORMAT, each part optional)', v);
  return mode;
}
