/** Reads a config file (JSON with // comments), applies command-line overrides, validates once. */
import { readFileSync } from 'node:fs';
import { NullcamError } from '../errors.js';
import { CONFIG_SCHEMA, isField, schemaFields, type Config, type ConfigSchema } from './config-schema.js';

/** Built-in defaults, frozen. */
export function defaultConfig(): Config {
  return buildConfig({}, []);
}

/**
 * @param fileText contents of a --config file, or undefined
 * @param overrides dotted key → value from the command line (applied after the file)
 * @throws NullcamError on unknown keys, wrong types, out-of-range values
 */
export function buildConfig(fileValues: Record<string, unknown>, overrides: ReadonlyArray<[string, unknown]>, source = 'config'): Config {
  const flat = new Map<string, unknown>();
  flatten(fileValues, '', CONFIG_SCHEMA, flat, source);
  const known = new Map(schemaFields());
  for (const [key, value] of overrides) {
    if (!known.has(key)) throw new NullcamError(`Unknown setting "${key}". Run "nullcam anonymize --help" for the list of settings.`, 2);
    flat.set(key, value);
  }
  const out: Record<string, unknown> = {};
  for (const [key, field] of known) {
    const value = flat.has(key) ? field.parse(flat.get(key), key) : field.default;
    const parts = key.split('.');
    let node = out;
    for (const p of parts.slice(0, -1)) node = (node[p] ??= {}) as Record<string, unknown>;
    node[parts[parts.length - 1]] = value;
  }
  const config = deepFreeze(out) as Config;
  const cycle = config.detect.stride * config.detect.scanPeriod;
  if (config.track.lookahead < cycle) {
    throw new NullcamError(`track.lookahead (${config.track.lookahead}) must be at least detect.stride x detect.scanPeriod (${cycle}), or a small face could go uncovered before the scan reaches it.`, 2);
  }
  return config;
}

/** Loads a --config file. */
export function readConfigFile(path: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new NullcamError(`Cannot read config file ${path}: ${(err as NodeJS.ErrnoException).code ?? String(err)}. Check the path given to --config.`, 2, { cause: err });
  }
  try {
    const value = JSON.parse(stripJsonComments(text)) as unknown;
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error('top level is not an object');
    return value as Record<string, unknown>;
  } catch (err) {
    throw new NullcamError(`Config file ${path} is not valid JSON: ${(err as Error).message}. See config/default.jsonc for the format.`, 2, { cause: err });
  }
}

/** Removes // and /* *\/ comments outside strings, so documented configs stay plain JSON otherwise. */
export function stripJsonComments(text: string): string {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '"') {
      const start = i;
      for (i++; i < text.length && text[i] !== '"'; i++) if (text[i] === '\\') i++;
      out += text.slice(start, i + 1);
    } else if (c === '/' && text[i + 1] === '/') {
      while (i < text.length && text[i] !== '\n') i++;
      out += '\n';
    } else if (c === '/' && text[i + 1] === '*') {
      i = text.indexOf('*/', i + 2);
      if (i < 0) break;
      i++;
    } else out += c;
  }
  return out;
}

function flatten(value: Record<string, unknown>, prefix: string, schema: ConfigSchema, out: Map<string, unknown>, source: string): void {
  for (const [k, v] of Object.entries(value)) {
    const entry = schema[k];
    if (!entry) {
      const known = Object.keys(schema).map((n) => prefix + n).join(', ');
      throw new NullcamError(`Unknown key "${prefix}${k}" in ${source} (known here: ${known}).`, 2);
    }
    if (isField(entry)) out.set(prefix + k, v);
    else if (typeof v === 'object' && v !== null && !Array.isArray(v)) flatten(v as Record<string, unknown>, `${prefix}${k}.`, entry, out, source);
    else throw new NullcamError(`"${prefix}${k}" in ${source} must be an object of settings.`, 2);
  }
}

function deepFreeze<T>(o: T): T {
  if (typeof o === 'object' && o !== null) {
    for (const v of Object.values(o)) deepFreeze(v);
    Object.freeze(o);
  }
  return o;
}
