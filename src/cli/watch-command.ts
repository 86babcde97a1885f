/** `nullcam watch`: loads the models once, then anonymizes each finished segment of a recorder's directory. */
import { mkdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { defer, switchMap } from 'rxjs';
import { buildConfig, readConfigFile } from '../config/load-config.js';
import { NullcamError } from '../errors.js';
import { openInput } from '../ingest/open-input.js';
import { anonymizeFile } from '../pipeline/anonymize-file.js';
import { watchSegments, type WatchEvent } from '../watch/watch-segments.js';
import { WatchState } from '../watch/watch-state.js';
import { loadAnonymizer, locateConfiguredFfmpeg, trackOptions, videoOptions, zoneOptions } from './anonymize-command.js';
import { checkKeySource, masterKeyForWriting } from './key-source.js';
import { version } from './version.js';
import type { WatchRequest } from './watch-args.js';

/** Runs until SIGINT/SIGTERM (exit 0: the segment in progress is dropped and redone next time). */
export async function runWatch(req: WatchRequest, env: NodeJS.ProcessEnv): Promise<number> {
  const inDir = path.resolve(req.inDir);
  const outDir = path.resolve(req.outDir);
  const isDir = await stat(inDir).then((s) => s.isDirectory(), () => false);
  if (!isDir) throw new NullcamError(`IN_DIR ${inDir} is not a directory; give the folder the recorder writes its segments to.`, 2);
  if (outDir === inDir) throw new NullcamError('--out must differ from IN_DIR: anonymized segments go to their own directory.', 2);
  await mkdir(outDir, { recursive: true }).catch((error: NodeJS.ErrnoException) => {
    throw new NullcamError(`Cannot create --out ${outDir} (${error.code}); choose a writable directory.`, 2, { cause: error });
  });
  const config = buildConfig(req.configFile ? readConfigFile(req.configFile) : {}, req.overrides, req.configFile ?? 'config');
  const binary = await locateConfiguredFfmpeg(config, env);
  const state = await WatchState.load(path.resolve(req.stateFile ?? path.join(outDir, '.nullcam-watch.json')));
  checkKeySource(req, 'nullcam watch', false);
  const recoveryKey = req.keyFile !== undefined || req.passphrase ? await masterKeyForWriting(req, env, (m) => void process.stderr.write(`nullcam: warning: ${m}\n`)) : undefined;
  const { analyzers, anonymizer } = await loadAnonymizer(config, env, recoveryKey?.key);
  const log = (e: WatchEvent): void => {
    if (req.json) process.stdout.write(`${JSON.stringify(e)}\n`);
    else process.stderr.write(`nullcam watch: ${describe(e)}\n`);
  };
  process.stderr.write(`nullcam watch: watching ${inDir} → ${outDir} (state ${state.file}, ${state.size} segments recorded; settle ${req.settleS} s)\n`);
  try {
    return await new Promise<number>((resolve, reject) => {
      const subscription = watchSegments({
        inDir,
        outDir,
        state,
        settleMs: req.settleS * 1000,
        pollMs: req.pollS * 1000,
        deleteOriginals: req.deleteOriginals,
        anonymize: (input, output) =>
          defer(() => openInput(input, { binary })).pipe(
            switchMap((probed) =>
              anonymizeFile({
                binary,
                input: probed,
                output,
                overwrite: true,
                analyzers,
                anonymizer,
                track: trackOptions(config),
                video: videoOptions(config),
                audio: config.encode.audio === 'copy',
                zones: zoneOptions(config.anonymize.zones, config),
                ...(recoveryKey ? { recovery: { ...recoveryKey, createdBy: version() } } : {}),
              }),
            ),
          ),
      }).subscribe({ next: log, error: reject });
      const stop = (): void => {
        // Unsubscribing stops ffmpeg and removes the temp output of the segment in progress.
        subscription.unsubscribe();
        process.stderr.write('nullcam watch: stopped\n');
        setTimeout(() => resolve(0), 50);
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
  } finally {
    await analyzers.dispose();
    await anonymizer.dispose?.();
  }
}

function describe(e: WatchEvent): string {
  switch (e.event) {
    case 'done':
      return `done ${e.segment} → ${e.output} (${e.frames} frames, ${e.seconds} s)`;
    case 'adopted':
      return `done ${e.segment} → ${e.output} (output of an earlier run)`;
    case 'failed':
      return `failed ${e.segment}: ${e.reason}`;
    case 'deleted':
      return `deleted original ${e.segment}`;
    case 'error':
      return e.reason;
  }
}
