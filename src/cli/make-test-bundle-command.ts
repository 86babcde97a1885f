/** `nullcam models make-test-bundle DIR`: writes the project's random-weight test bundle (for tests and CI). */
import { makeTestBundle } from '../diffuse/bundle/make-test-bundle.js';
import { NullcamError } from '../errors.js';
import { parseCommandLine } from './parse-command-line.js';

export const MAKE_TEST_BUNDLE_USAGE =
  'Usage: nullcam models make-test-bundle DIR [--seed N] [--unconditional] [--fp16] [--overwrite]';

/** @returns the exit code */
export function makeTestBundleCommand(argv: readonly string[]): number {
  const { values, positionals } = parseCommandLine(
    argv,
    { seed: { type: 'string' }, unconditional: { type: 'boolean' }, fp16: { type: 'boolean' }, overwrite: { type: 'boolean' }, debug: { type: 'boolean' } },
    'models make-test-bundle',
    { hint: MAKE_TEST_BUNDLE_USAGE },
  );
  if (positionals.length !== 1) throw new NullcamError(MAKE_TEST_BUNDLE_USAGE, 2);
  const seed = values.seed === undefined ? 1 : Number(values.seed);
  if (!Number.isInteger(seed) || seed < 0 || seed > 2 ** 31) throw new NullcamError(`Expected an integer from 0 to 2^31 for --seed but received ${JSON.stringify(values.seed)}`, 2);
  const dir = positionals[0];
  const m = makeTestBundle(dir, { seed, unconditional: values.unconditional ?? false, dtype: values.fp16 ? 'float16' : 'float32', overwrite: values.overwrite ?? false });
  process.stdout.write(
    `test bundle written to ${dir}: latent ${m.latent.channels}×${m.latent.height}×${m.latent.width}, image ${m.imageSize}², ${Object.keys(m.files).length} files.\n` +
      'Its weights are RANDOM: output images mean nothing. Use it to test plumbing, never to anonymize.\n',
  );
  return 0;
}
