/** `nullcam anonymize`: builds the components from config and runs the file pipeline with progress. */
import type { Anonymizer } from '../anonymize/anonymizer.js';
import type { PrivacyZone, ZoneFill } from '../anonymize/privacy-zones.js';
import { parseHexColour } from '../anonymize/solid-fill.js';
import type { Config } from '../config/config-schema.js';
import { buildConfig, readConfigFile } from '../config/load-config.js';
import type { VideoEncodingOptions } from '../egress/encode-options.js';
import { EXIT_INTERRUPTED } from '../errors.js';
import { locateFfmpeg, type FfmpegBinary } from '../ingest/ffmpeg-binary.js';
import { openInput } from '../ingest/open-input.js';
import { defaultModelCacheDir } from '../models/model-cache-dir.js';
import { ModelStore } from '../models/model-store.js';
import { anonymizeFile } from '../pipeline/anonymize-file.js';
import { anonymizerFromConfig } from '../pipeline/anonymizer-from-config.js';
import { openModelBundle } from '../pipeline/open-model-bundle.js';
import { loadFaceAnalyzers, type LoadedAnalyzers } from '../pipeline/face-analyzers.js';
import { StageTimer } from '../pipeline/stage-timer.js';
import type { TrackFacesOptions } from '../track/track-faces.js';
import type { AnonymizeRequest } from './anonymize-args.js';
import { checkKeySource, masterKeyForWriting } from './key-source.js';
import { version } from './version.js';
import { ProgressReporter, type ProgressStyle } from './progress-reporter.js';
import { runInterruptible } from './run-interruptible.js';

/** @returns the exit code; throws NullcamError for anything the user can fix */
export async function runAnonymize(req: AnonymizeRequest, env: NodeJS.ProcessEnv): Promise<number> {
  const config = buildConfig(req.configFile ? readConfigFile(req.configFile) : {}, req.overrides, req.configFile ?? 'config');
  const binary = await locateConfiguredFfmpeg(config, env);
  const input = await openInput(req.input, { binary });
  checkKeySource(req, 'nullcam anonymize', false);
  const recoveryKey = req.keyFile !== undefined || req.passphrase ? await masterKeyForWriting(req, env, (m) => void process.stderr.write(`nullcam: warning: ${m}\n`)) : undefined;
  const { analyzers, anonymizer, summary } = await loadAnonymizer(config, env, recoveryKey?.key);

  const style: ProgressStyle = req.progress ?? (process.stderr.isTTY ? 'bar' : 'json');
  // JSON events go to stdout for scripts; the bar goes to stderr so stdout stays clean.
  const progress = new ProgressReporter(style, style === 'json' ? process.stdout : process.stderr);
  const timer = new StageTimer();
  const tracks = new Set<number>();
  let frames = 0, faces = 0, warnings = 0;
  let recoveryFile: { file: string; bytes: number } | undefined;
  const totalFrames = input.info.video.frameCount ?? undefined;

  try {
    const outcome = await runInterruptible(
      anonymizeFile({
        binary,
        input,
        output: req.output,
        overwrite: req.overwrite,
        analyzers,
        anonymizer,
        track: trackOptions(config),
        video: videoOptions(config),
        audio: config.encode.audio === 'copy',
        zones: zoneOptions(config.anonymize.zones, config),
        ...(req.tracksJson ? { tracksJson: req.tracksJson } : {}),
        ...(recoveryKey ? { recovery: { ...recoveryKey, createdBy: version(), onWritten: (file, bytes) => void (recoveryFile = { file, bytes }) } } : {}),
        timer,
        onFrame(frame) {
          frames++;
          faces += frame.faces.length;
          for (const f of frame.faces) tracks.add(f.trackId);
          progress.update({ frames, ...(totalFrames ? { totalFrames } : {}), faces, tracks: tracks.size });
        },
        onDecoderWarning(_message, count) {
          warnings += count;
        },
      }),
    );
    if (outcome === 'interrupted') {
      // Unsubscribing (runInterruptible) stopped both ffmpeg processes and removed the temp output and tracks file.
      process.stderr.write('\nnullcam: interrupted; no output written.\n');
      return EXIT_INTERRUPTED;
    }
    if (warnings > 0) progress.warn(`the input stream is damaged: ${warnings} decoder warnings; frames were decoded best-effort`);
    const seconds = progress.elapsedSeconds();
    progress.done({
      output: outcome.output,
      frames,
      faces,
      tracks: tracks.size,
      seconds: Math.round(seconds * 100) / 100,
      fps: Math.round((frames / seconds) * 100) / 100,
      decoderWarnings: warnings,
      ...(recoveryFile ? { recovery: recoveryFile.file, recoveryBytes: recoveryFile.bytes } : {}),
      stageMs: Object.fromEntries(Object.entries(timer.snapshot()).map(([k, v]) => [k, Math.round(v)])),
      ...summary(),
    });
    if (style === 'none' || style === 'bar') process.stderr.write(`nullcam: wrote ${outcome.output} (${frames} frames, ${tracks.size} face tracks)\n`);
    if (recoveryFile && style !== 'json') process.stderr.write(`nullcam: wrote recovery data ${recoveryFile.file} (${recoveryFile.bytes} bytes); nullcam reveal restores the faces with the key\n`);
    return 0;
  } finally {
    await analyzers.dispose();
    await anonymizer.dispose?.();
  }
}

/** The ffmpeg binary the settings or NULLCAM_FFMPEG name, else the default search. */
export async function locateConfiguredFfmpeg(config: Config, env: NodeJS.ProcessEnv): Promise<FfmpegBinary> {
  const override = config.runtime.ffmpeg ?? env.NULLCAM_FFMPEG;
  return locateFfmpeg(override ? { override } : {});
}

/**
 * Face models and the anonymizer --mode asks for, both loaded once; the caller disposes both. The
 * anonymizer comes first: a diffusion mode without its bundle or key fails before any model loads.
 * @param masterKey the --key-file/--passphrase master key, which secure mode keys its sign flip with
 */
export async function loadAnonymizer(
  config: Config,
  env: NodeJS.ProcessEnv,
  masterKey?: Uint8Array,
): Promise<{ analyzers: LoadedAnalyzers; anonymizer: Anonymizer; summary(): Record<string, unknown> }> {
  const { anonymizer, summary } = await anonymizerFromConfig(config, openModelBundle, masterKey);
  const store = new ModelStore({ cacheDir: config.runtime.modelDir ?? defaultModelCacheDir(env) });
  const analyzers = await loadFaceAnalyzers(store, config).catch(async (err: unknown) => {
    await anonymizer.dispose?.();
    throw err;
  });
  return { analyzers, anonymizer, summary };
}

export function trackOptions(config: Config): TrackFacesOptions {
  const t = config.track;
  return {
    stride: config.detect.stride,
    lookahead: t.lookahead,
    tracker: { maxMisses: t.maxMisses },
    timeline: {
      holdFrames: t.holdFrames,
      backfillFrames: Math.min(t.backfillFrames, t.lookahead),
      maxInterpolateGap: t.maxInterpolateGap,
      dilate: t.dilate,
      dilatePerFrame: t.dilatePerFrame,
      maxExtraDilate: t.maxExtraDilate,
    },
  };
}

/** The configured privacy zones and their fill colour. */
export function zoneOptions(zones: readonly PrivacyZone[], config: Config): ZoneFill {
  return { zones, colour: parseHexColour(config.anonymize.colour)! };
}

export function videoOptions(config: Config): VideoEncodingOptions {
  const e = config.encode;
  return {
    encoder: e.codec,
    ...(e.preset !== null ? { preset: e.preset } : {}),
    ...(e.bitrate !== null ? { bitrate: e.bitrate } : e.crf !== null ? { crf: e.crf } : {}),
    pixFmt: e.pixFmt,
    extraArgs: e.extraArgs,
  };
}
