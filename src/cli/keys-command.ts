/**
 * `nullcam keys export VIDEO --track N (--key-file KEY | --passphrase) -o FILE`: a key that restores one
 * person (track N) of one video and nothing else, to hand to whoever may see that person.
 */
import { NullcamError } from '../errors.js';
import { keyFingerprint } from '../keys/key-derivation.js';
import { writeKeyFile } from '../keys/key-file.js';
import { openRecoveryFile } from '../keys/recovery-reader.js';
import { inspectRecovery } from './inspect-command.js';
import { checkKeySource, exportTrackKey, keySourceFrom, masterKeyFor } from './key-source.js';
import { parseTrack } from './reveal-command.js';
import { parseCommandLine } from './parse-command-line.js';

export async function runKeys(argv: readonly string[], env: NodeJS.ProcessEnv): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub !== 'export') throw new NullcamError('Usage: nullcam keys export VIDEO --track N --key-file KEY -o FILE', 2);
  const { values: v, positionals } = parseCommandLine(
    rest,
    { output: { type: 'string', short: 'o' }, track: { type: 'string' }, 'key-file': { type: 'string', short: 'k' }, passphrase: { type: 'boolean' }, debug: { type: 'boolean' } },
    'keys',
  );
  if (positionals.length !== 1) throw new NullcamError('Usage: nullcam keys export VIDEO --track N --key-file KEY -o FILE', 2);
  if (v.track === undefined) throw new NullcamError('Missing --track N, the person whose key to export (nullcam inspect VIDEO lists the tracks).', 2);
  const output = v.output;
  if (!output) throw new NullcamError('Missing -o FILE, where to write the per-track key.', 2);
  const source = keySourceFrom(v);
  checkKeySource(source, 'nullcam keys export', true);
  const track = parseTrack(v.track);
  const video = positionals[0];
  const file = await openRecoveryFile(video);
  const master = await masterKeyFor(file, source, env, (m) => void process.stderr.write(`nullcam: warning: ${m}\n`));
  if (!(await inspectRecovery(video)).tracks.some((t) => t.id === track)) {
    throw new NullcamError(`This video has no recovery records for track ${track}; nullcam inspect lists its tracks.`, 1);
  }
  const key = exportTrackKey(file, master, track);
  await writeKeyFile(output, { kind: 'track', key, videoId: file.header.videoId, track });
  process.stderr.write(`nullcam: wrote ${output}: restores track ${track} of ${video} only (key fingerprint ${keyFingerprint(key)}).\n`);
  return 0;
}
