/** `nullcam keygen -o FILE [--passphrase]`: a new master key file (mode 0600, never overwritten). */
import { randomBytes } from 'node:crypto';
import { NullcamError } from '../errors.js';
import { deriveFromPassphrase, KEY_BYTES, keyFingerprint, newScryptParams } from '../keys/key-derivation.js';
import { writeKeyFile } from '../keys/key-file.js';
import { readPassphrase } from './read-passphrase.js';
import { parseCommandLine } from './parse-command-line.js';

export async function runKeygen(argv: readonly string[], env: NodeJS.ProcessEnv): Promise<number> {
  const { values } = parseCommandLine(argv, { output: { type: 'string', short: 'o' }, passphrase: { type: 'boolean' }, debug: { type: 'boolean' } }, 'keygen', { positionals: false });
  const output = values.output;
  if (!output) throw new NullcamError('Missing -o FILE, where to write the key (e.g. -o team.key).', 2);
  let key: Buffer;
  let kdf;
  if (values.passphrase) {
    kdf = newScryptParams();
    key = await deriveFromPassphrase(await readPassphrase(env, true), kdf);
  } else key = randomBytes(KEY_BYTES);
  await writeKeyFile(output, { kind: 'master', key, ...(kdf ? { kdf } : {}) });
  process.stderr.write(`nullcam: wrote ${output} (key fingerprint ${keyFingerprint(key)}); keep it secret: it restores every face it protects.\n`);
  return 0;
}
