/** `nullcam anonymize` command line → validated request. */
import { NullcamError } from '../errors.js';
import { keySourceFrom } from './key-source.js';
import { parseCommandLine } from './parse-command-line.js';
import type { ProgressStyle } from './progress-reporter.js';

export interface AnonymizeRequest {
  readonly input: string;
  readonly output: string;
  readonly configFile?: string;
  /** Dotted setting → raw value, in command-line order (flags are sugar for these). */
  readonly overrides: ReadonlyArray<[string, string]>;
  /** undefined: bar on a TTY, json otherwise. */
  readonly progress?: ProgressStyle;
  readonly tracksJson?: string;
  readonly overwrite: boolean;
  readonly debug: boolean;
  /** The master key file (nullcam keygen): seals recovery data, and keys secure mode's sign flip. */
  readonly keyFile?: string;
  /** Like keyFile, with a key derived from a passphrase. */
  readonly passphrase?: boolean;
}

/** Flags that are shorthands for settings: flag → dotted key. */
export const SETTING_FLAGS = {
  mode: 'mode',
  encoder: 'encode.codec',
  preset: 'encode.preset',
  crf: 'encode.crf',
  bitrate: 'encode.bitrate',
  stride: 'detect.stride',
  'min-score': 'detect.minScore',
  dilate: 'track.dilate',
  ep: 'runtime.executionProvider',
  'model-dir': 'diffuse.modelDir',
} as const;

/** parseArgs options every anonymizing command takes: config file, settings and their shorthand flags, --debug. */
export const SETTING_OPTIONS = {
  mode: { type: 'string', short: 'm' },
  config: { type: 'string', short: 'c' },
  set: { type: 'string', multiple: true },
  'no-audio': { type: 'boolean' },
  debug: { type: 'boolean' },
  encoder: { type: 'string' },
  preset: { type: 'string' },
  crf: { type: 'string' },
  bitrate: { type: 'string' },
  stride: { type: 'string' },
  'min-score': { type: 'string' },
  dilate: { type: 'string' },
  ep: { type: 'string' },
  'model-dir': { type: 'string' },
  'key-file': { type: 'string', short: 'k' },
  passphrase: { type: 'boolean' },
} as const;

/** The settings a command line gives (shorthand `flags`, --no-audio, --set), as dotted key → raw value in command-line order. */
export function settingOverrides(
  values: { readonly set?: readonly string[]; readonly 'no-audio'?: boolean } & Readonly<Record<string, unknown>>,
  flags: Readonly<Record<string, string>> = SETTING_FLAGS,
): Array<[string, string]> {
  const overrides: Array<[string, string]> = [];
  for (const [flag, key] of Object.entries(flags)) {
    const v = values[flag];
    if (typeof v === 'string') overrides.push([key, v]);
  }
  if (values['no-audio']) overrides.push(['encode.audio', 'none']);
  for (const s of values.set ?? []) {
    const eq = s.indexOf('=');
    if (eq <= 0) throw new NullcamError(`Expected KEY=VALUE for --set but received "${s}" (e.g. --set detect.stride=1).`, 2);
    overrides.push([s.slice(0, eq), s.slice(eq + 1)]);
  }
  return overrides;
}

export function parseAnonymizeArgs(argv: readonly string[]): AnonymizeRequest {
  const { values, positionals } = parseCommandLine(
    argv,
    {
      output: { type: 'string', short: 'o' },
      progress: { type: 'string' },
      'tracks-json': { type: 'string' },
      overwrite: { type: 'boolean', short: 'y' },
      ...SETTING_OPTIONS,
    },
    'anonymize',
  );
  if (positionals.length !== 1) {
    throw new NullcamError(positionals.length === 0 ? 'Missing INPUT. Usage: nullcam anonymize INPUT -o OUTPUT (see --help).' : `Expected one INPUT, got ${positionals.length}: ${positionals.join(' ')}.`, 2);
  }
  if (!values.output) throw new NullcamError('Missing -o OUTPUT, the file to write (e.g. -o out.mp4).', 2);
  const overrides = settingOverrides(values);
  const progress = values.progress;
  if (progress !== undefined && !['bar', 'json', 'none'].includes(progress)) {
    throw new NullcamError(`Expected one of bar, json, none for --progress but received "${progress}".`, 2);
  }
  return {
    input: positionals[0],
    output: values.output,
    ...(values.config ? { configFile: values.config } : {}),
    overrides,
    ...(progress ? { progress: progress as ProgressStyle } : {}),
    ...(values['tracks-json'] ? { tracksJson: values['tracks-json'] } : {}),
    overwrite: values.overwrite ?? false,
    debug: values.debug ?? false,
    ...keySourceFrom(values),
  };
}
