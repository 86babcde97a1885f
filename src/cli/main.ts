/**
 * The nullcam command. Parses the command line, builds components from config, runs, and turns every
 * failure into one line on stderr with a non-zero exit code (stack traces only with --debug).
 */
import { buildConfig, readConfigFile } from '../config/load-config.js';
import { renderDefaultConfig } from '../config/render-config.js';
import { NullcamError } from '../errors.js';
import { FACE_MODELS, installModels } from '../models/install-models.js';
import { defaultModelCacheDir } from '../models/model-cache-dir.js';
import { ModelStore } from '../models/model-store.js';
import { runAnonymize } from './anonymize-command.js';
import { makeTestBundleCommand } from './make-test-bundle-command.js';
import { parseAnonymizeArgs } from './anonymize-args.js';
import { doctorReport, formatDoctorReport } from './doctor.js';
import { anonymizeHelp, KEY_HELP, MAIN_HELP, PROXY_HELP, WATCH_HELP } from './help.js';
import { parseCommandLine } from './parse-command-line.js';
import { version } from './version.js';
import { runInspect } from './inspect-command.js';
import { runKeygen } from './keygen-command.js';
import { runKeys } from './keys-command.js';
import { parseRevealArgs, runReveal } from './reveal-command.js';
import { parseProxyArgs } from './proxy-args.js';
import { runProxyOnThread } from './proxy-thread.js';
import { DETECTOR_MODEL } from '../pipeline/face-analyzers.js';
import { parseWatchArgs } from './watch-args.js';
import { runWatch } from './watch-command.js';

/** @returns the process exit code */
export async function main(argv: readonly string[]): Promise<number> {
  const debug = argv.includes('--debug');
  try {
    return await dispatch(argv);
  } catch (err) {
    if (err instanceof NullcamError) {
      process.stderr.write(`nullcam: ${err.message}\n`);
      if (debug && err.cause instanceof Error) process.stderr.write(`${err.cause.stack}\n`);
      return err.exitCode;
    }
    process.stderr.write(`nullcam: internal error: ${(err as Error)?.message ?? String(err)} (run again with --debug for details, and report it)\n`);
    if (debug) process.stderr.write(`${(err as Error)?.stack}\n`);
    return 1;
  }
}

async function dispatch(argv: readonly string[]): Promise<number> {
  const [command, ...rest] = argv;
  const wantsHelp = rest.includes('--help') || rest.includes('-h');
  switch (command) {
    case undefined:
    case '--help':
    case '-h':
      process.stdout.write(MAIN_HELP);
      return 0;
    case 'help':
      process.stdout.write(
        rest[0] === 'anonymize'
          ? anonymizeHelp()
          : rest[0] === 'proxy'
            ? PROXY_HELP
            : rest[0] === 'watch'
              ? WATCH_HELP
              : rest[0] && rest[0] in KEY_HELP
                ? KEY_HELP[rest[0] as keyof typeof KEY_HELP]
                : MAIN_HELP,
      );
      return 0;
    case '--version':
    case '-v':
      process.stdout.write(`${version()}\n`);
      return 0;
    case 'anonymize':
      if (wantsHelp) {
        process.stdout.write(anonymizeHelp());
        return 0;
      }
      return runAnonymize(parseAnonymizeArgs(rest), process.env);
    case 'proxy':
      if (wantsHelp) {
        process.stdout.write(PROXY_HELP);
        return 0;
      }
      return runProxyOnThread(parseProxyArgs(rest));
    case 'watch':
      if (wantsHelp) {
        process.stdout.write(WATCH_HELP);
        return 0;
      }
      return runWatch(parseWatchArgs(rest), process.env);
    case 'doctor':
      return doctor(rest);
    case 'models':
      return models(rest);
    case 'config':
      process.stdout.write(renderDefaultConfig());
      return 0;
    case 'keygen':
    case 'reveal':
    case 'inspect':
    case 'keys':
      if (wantsHelp) {
        process.stdout.write(KEY_HELP[command]);
        return 0;
      }
      if (command === 'keygen') return runKeygen(rest, process.env);
      if (command === 'reveal') return runReveal(parseRevealArgs(rest), process.env);
      if (command === 'inspect') return runInspect(rest);
      return runKeys(rest, process.env);
    default:
      throw new NullcamError(`Unknown command "${command}". Commands: anonymize, proxy, watch, reveal, keygen, keys, inspect, doctor, models, config, help.`, 2);
  }
}

async function doctor(argv: readonly string[]): Promise<number> {
  const { values } = parseCommandLine(argv, { json: { type: 'boolean' }, config: { type: 'string', short: 'c' }, bundle: { type: 'string' }, ep: { type: 'string' }, debug: { type: 'boolean' } }, 'doctor', { positionals: false });
  const config = buildConfig(values.config ? readConfigFile(values.config) : {}, values.ep === undefined ? [] : [['runtime.executionProvider', values.ep]]);
  const store = new ModelStore({ cacheDir: config.runtime.modelDir ?? defaultModelCacheDir() });
  const report = await doctorReport(store, config.runtime.ffmpeg ?? process.env.NULLCAM_FFMPEG, config.runtime.executionProvider, DETECTOR_MODEL, values.bundle);
  process.stdout.write(values.json ? `${JSON.stringify(report, null, 2)}\n` : formatDoctorReport(report));
  return 'error' in report.ffmpeg || (report.bundle && 'error' in report.bundle) ? 1 : 0;
}

async function models(argv: readonly string[]): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === 'make-test-bundle') return makeTestBundleCommand(rest);
  const { values } = parseCommandLine(rest, { 'model-dir': { type: 'string' }, progress: { type: 'string' }, debug: { type: 'boolean' } }, 'models', { positionals: false });
  const store = new ModelStore({ cacheDir: values['model-dir'] ?? defaultModelCacheDir() });
  if (sub === 'install') {
    const quiet = values.progress === 'none';
    await installModels(store, FACE_MODELS, (r) => {
      if (!quiet) process.stdout.write(`${r.name.padEnd(26)} ${r.converted ? `converted in ${Math.round(r.ms)} ms` : 'up to date'}  ${r.path}\n`);
    });
    if (quiet) process.stdout.write(`models ready in ${store.cacheDir}\n`);
    return 0;
  }
  if (sub === 'list') {
    for (const m of await store.list()) process.stdout.write(`${m.name.padEnd(26)} ${m.sha256}  ${m.intact ? '' : '(changed) '}${m.path}\n`);
    return 0;
  }
  throw new NullcamError('Usage: nullcam models install|list [--model-dir DIR] | make-test-bundle DIR', 2);
}
