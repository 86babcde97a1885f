/** `nullcam watch` command line → validated request. */
import { NullcamError } from '../errors.js';
import { keySourceFrom } from './key-source.js';
import { SETTING_OPTIONS, settingOverrides } from './anonymize-args.js';
import { parseCommandLine } from './parse-command-line.js';

export interface WatchRequest {
  readonly inDir: string;
  readonly outDir: string;
  readonly configFile?: string;
  readonly overrides: ReadonlyArray<[string, string]>;
  /** default: OUT_DIR/.nullcam-watch.json */
  readonly stateFile?: string;
  readonly deleteOriginals: boolean;
  readonly settleS: number;
  readonly pollS: number;
  /** JSON lines on stdout instead of text lines on stderr. */
  readonly json: boolean;
  /** The master key file: each segment also gets recovery data (SEGMENT.nullrec), and secure mode's key. */
  readonly keyFile?: string;
  readonly passphrase?: boolean;
}

export function parseWatchArgs(argv: readonly string[]): WatchRequest {
  const { values, positionals } = parseCommandLine(
    argv,
    {
      out: { type: 'string', short: 'o' },
      state: { type: 'string' },
      'delete-originals-after': { type: 'boolean' },
      settle: { type: 'string' },
      poll: { type: 'string' },
      json: { type: 'boolean' },
      ...SETTING_OPTIONS,
    },
    'watch',
  );
  if (positionals.length !== 1) throw new NullcamError('Expected one IN_DIR. Usage: nullcam watch IN_DIR --out OUT_DIR (see --help).', 2);
  if (!values.out) throw new NullcamError('Missing --out OUT_DIR, the directory for the anonymized segments.', 2);
  return {
    inDir: positionals[0],
    outDir: values.out,
    ...(values.config ? { configFile: values.config } : {}),
    overrides: settingOverrides(values),
    ...(values.state ? { stateFile: values.state } : {}),
    deleteOriginals: values['delete-originals-after'] ?? false,
    settleS: seconds('--settle', values.settle, 10),
    pollS: seconds('--poll', values.poll, 2),
    json: values.json ?? false,
    ...keySourceFrom(values),
  };
}

function seconds(flag: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0 || n > 86_400) throw new NullcamError(`Expected seconds (0 < s ≤ 86400) for ${flag} but received "${value}".`, 2);
  return n;
}
