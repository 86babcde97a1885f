/** `nullcam proxy` command line → validated request. */
import { NullcamError } from '../errors.js';
import { settingOverrides } from './anonymize-args.js';
import { parseCommandLine } from './parse-command-line.js';

export interface ProxyRequest {
  /** The camera on the command line; absent when the cameras come from `live.cameras` in --config. */
  readonly url?: string;
  readonly serve?: string;
  readonly publish?: string;
  readonly configFile?: string;
  /** Dotted setting → raw value, in command-line order (flags are sugar for these). */
  readonly overrides: ReadonlyArray<[string, string]>;
  readonly debug: boolean;
}

/** Flags that are shorthands for settings: flag → dotted key. */
const SETTING_FLAGS = {
  mode: 'mode',
  transport: 'live.transport',
  webcam: 'live.webcam',
  metrics: 'live.metrics',
  stride: 'detect.stride',
  ep: 'runtime.executionProvider',
  'model-dir': 'runtime.modelDir',
} as const;

export function parseProxyArgs(argv: readonly string[]): ProxyRequest {
  const { values, positionals } = parseCommandLine(
    argv,
    {
      serve: { type: 'string' },
      publish: { type: 'string' },
      mode: { type: 'string', short: 'm' },
      transport: { type: 'string' },
      webcam: { type: 'string' },
      metrics: { type: 'string' },
      config: { type: 'string', short: 'c' },
      set: { type: 'string', multiple: true },
      'no-audio': { type: 'boolean' },
      stride: { type: 'string' },
      ep: { type: 'string' },
      'model-dir': { type: 'string' },
      debug: { type: 'boolean' },
    },
    'proxy',
  );
  if (positionals.length > 1) throw new NullcamError(`Expected one camera URL, got ${positionals.length}: list several cameras in live.cameras of a --config file.`, 2);
  const url = positionals[0];
  if (url !== undefined && !values.serve && !values.publish) {
    throw new NullcamError('Say where the anonymized stream goes: --serve rtsp://127.0.0.1:8554/cam1 and/or --publish rtsp://server/path.', 2);
  }
  if (url === undefined && (values.serve || values.publish)) throw new NullcamError('--serve and --publish need a camera URL: nullcam proxy URL --serve …', 2);
  if (url === undefined && !values.config) {
    throw new NullcamError('Missing camera URL. Usage: nullcam proxy URL --serve rtsp://127.0.0.1:8554/cam1, or nullcam proxy --config FILE with live.cameras.', 2);
  }
  const overrides = settingOverrides(values, SETTING_FLAGS);
  return {
    ...(url !== undefined ? { url } : {}),
    ...(values.serve ? { serve: values.serve } : {}),
    ...(values.publish ? { publish: values.publish } : {}),
    ...(values.config ? { configFile: values.config } : {}),
    overrides,
    debug: values.debug ?? false,
  };
}
