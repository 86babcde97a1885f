/**
 * `nullcam reveal VIDEO -o OUT --key-file KEY`: restores the original faces of an anonymized video from its
 * recovery data. Checks everything first: the key (one line, no output, nothing decrypted when wrong), then
 * every record (each problem listed; refused unless --allow-partial), then decodes, pastes and encodes.
 */
import path from 'node:path';
import type { VideoEncodingOptions } from '../egress/encode-options.js';
import { containerFor } from '../egress/output-file.js';
import { EXIT_INTERRUPTED, NullcamError } from '../errors.js';
import { locateFfmpeg } from '../ingest/ffmpeg-binary.js';
import { openInput } from '../ingest/open-input.js';
import { openRecoveryFile } from '../keys/recovery-reader.js';
import { sha256File } from '../keys/sha256-file.js';
import { describeProblem, RecoveryVerifier, type RecordProblem } from '../keys/recovery-verifier.js';
import { revealFile } from '../pipeline/reveal-file.js';
import { checkKeySource, keySourceFrom, unlockRecovery, type KeySource } from './key-source.js';
import { ProgressReporter, type ProgressStyle } from './progress-reporter.js';
import { runInterruptible } from './run-interruptible.js';
import { parseCommandLine } from './parse-command-line.js';

/**
 * H.264 quality for a restored .mp4/.mov. Measured inside the restored regions: CRF 12 gave 48.2 dB
 * (interview.mp4, 2 s) and 47.4 dB (Megamind.avi, 3 s); CRF 20, anonymize's default, 43.9 dB on interview.
 */
export const REVEAL_H264_CRF = 12;

/** Problems listed one per line; a changed header fails every record, and that needs no thousand lines. */
const MAX_LISTED = 20;

export interface RevealRequest extends KeySource {
  readonly input: string;
  readonly output: string;
  readonly track?: number;
  readonly allowPartial: boolean;
  readonly overwrite: boolean;
  readonly audio: boolean;
  readonly video: VideoEncodingOptions;
  readonly progress?: ProgressStyle;
}

export function parseRevealArgs(argv: readonly string[]): RevealRequest {
  const { values: v, positionals } = parseCommandLine(
    argv,
    {
      output: { type: 'string', short: 'o' },
      'key-file': { type: 'string', short: 'k' },
      passphrase: { type: 'boolean' },
      track: { type: 'string' },
      'allow-partial': { type: 'boolean' },
      overwrite: { type: 'boolean', short: 'y' },
      'no-audio': { type: 'boolean' },
      encoder: { type: 'string' },
      preset: { type: 'string' },
      crf: { type: 'string' },
      progress: { type: 'string' },
      debug: { type: 'boolean' },
    },
    'reveal',
  );
  if (positionals.length !== 1) throw new NullcamError('Usage: nullcam reveal VIDEO -o OUTPUT --key-file KEY (see --help).', 2);
  const output = v.output;
  if (!output) throw new NullcamError('Missing -o OUTPUT, the restored video to write (e.g. -o restored.mkv: lossless).', 2);
  const source = keySourceFrom(v);
  checkKeySource(source, 'nullcam reveal', true);
  const track = v.track === undefined ? undefined : parseTrack(v.track);
  const progress = v.progress;
  if (progress !== undefined && !['bar', 'json', 'none'].includes(progress)) throw new NullcamError(`Expected one of bar, json, none for --progress but received "${progress}".`, 2);
  const crf = v.crf === undefined ? undefined : Number(v.crf);
  return {
    input: positionals[0],
    output,
    ...source,
    ...(track !== undefined ? { track } : {}),
    allowPartial: v['allow-partial'] === true,
    overwrite: v.overwrite === true,
    audio: v['no-audio'] !== true,
    video: revealEncoding(output, { ...(v.encoder ? { encoder: v.encoder } : {}), ...(v.preset ? { preset: v.preset } : {}), ...(crf !== undefined ? { crf } : {}) }),
    ...(progress ? { progress: progress as ProgressStyle } : {}),
  };
}

export function parseTrack(text: string): number {
  if (!/^\d+$/.test(text)) throw new NullcamError(`Expected a track id (a whole number, see nullcam inspect) for --track but received "${text}".`, 2);
  return Number(text);
}

/** Lossless FFV1 into .mkv; H.264 at REVEAL_H264_CRF into .mp4/.mov (lossy: restored faces are close, not exact). */
function revealEncoding(output: string, given: VideoEncodingOptions): VideoEncodingOptions {
  if (given.encoder) return given;
  return containerFor(output) === 'matroska' ? { encoder: 'ffv1', ...given } : { encoder: 'libx264', crf: REVEAL_H264_CRF, ...given };
}

export async function runReveal(req: RevealRequest, env: NodeJS.ProcessEnv): Promise<number> {
  const warn = (m: string): void => void process.stderr.write(`nullcam: warning: ${m}\n`);
  if (path.resolve(req.input) === path.resolve(req.output)) throw new NullcamError('OUTPUT must differ from VIDEO; reveal never changes the anonymized video.', 2);
  const binary = await locateFfmpeg(env.NULLCAM_FFMPEG ? { override: env.NULLCAM_FFMPEG } : {});
  const input = await openInput(req.input, { binary });
  const file = await openRecoveryFile(input.source);
  const keyring = await unlockRecovery(file, req, req.track, env, warn);

  let listed = 0;
  const report = (p: RecordProblem): void => {
    if (listed++ < MAX_LISTED) process.stderr.write(`nullcam: ${describeProblem(p)}\n`);
  };
  const audit = await new RecoveryVerifier(file, keyring, report).audit();
  if (listed > MAX_LISTED) process.stderr.write(`nullcam: … and ${listed - MAX_LISTED} more problems\n`);
  if (audit.regions === 0 && req.track !== undefined) throw new NullcamError(`This video has no recovery records for track ${req.track}; nullcam inspect lists its tracks.`, 1);
  if (audit.problems.length > 0 && !req.allowPartial) {
    throw new NullcamError(`The recovery data failed ${audit.problems.length} check(s), listed above; nothing was restored. --allow-partial restores the intact records only.`, 1);
  }
  if (audit.videoSha256 === undefined) warn(`the recovery data's end records are lost, so nothing proves it belongs to ${input.displayName}`);
  else if (audit.videoSha256 !== (await sha256File(input.source))) {
    throw new NullcamError(`${file.path} was written for another file than ${input.displayName} (its SHA-256 differs): reveal the video exactly as nullcam anonymize wrote it.`, 1);
  }

  const verifier = new RecoveryVerifier(file, keyring, (p) => {
    // The file changed between the check and now: stop rather than restore from unchecked data.
    if (!req.allowPartial) throw new NullcamError(`The recovery data changed while revealing (${describeProblem(p)}); nothing was restored.`, 1);
  });
  const style: ProgressStyle = req.progress ?? (process.stderr.isTTY ? 'bar' : 'json');
  const progress = new ProgressReporter(style, style === 'json' ? process.stdout : process.stderr);
  const tracks = new Set<number>();
  let frames = 0, restored = 0;
  const outcome = await runInterruptible(
    revealFile({
      binary,
      input,
      header: file.header,
      regions: (async function* () {
        for await (const r of verifier.openRegions()) {
          tracks.add(r.header.trackId);
          yield r;
        }
      })(),
      expectedFrames: () => verifier.end?.frames,
      output: req.output,
      overwrite: req.overwrite,
      video: req.video,
      audio: req.audio,
      onFrame(_frame, n) {
        frames++;
        restored += n;
        progress.update({ frames, ...(input.info.video.frameCount ? { totalFrames: input.info.video.frameCount } : {}), faces: restored, tracks: tracks.size });
      },
    }),
  );
  if (outcome === 'interrupted') {
    process.stderr.write('\nnullcam: interrupted; no output written.\n');
    return EXIT_INTERRUPTED;
  }
  const failed = verifier.problems.length;
  const seconds = progress.elapsedSeconds();
  progress.done({ output: outcome.output, frames, faces: restored, tracks: tracks.size, seconds: Math.round(seconds * 100) / 100, fps: Math.round((frames / seconds) * 100) / 100, failedChecks: failed });
  const partial = failed > 0 ? `; ${failed} check(s) failed and those records were skipped` : '';
  if (style !== 'json') process.stderr.write(`nullcam: restored ${restored} face regions of ${tracks.size} track(s) in ${frames} frames into ${outcome.output}${partial}\n`);
  return 0;
}
