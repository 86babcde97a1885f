/** The BundleLoader the CLI uses: the bundle loader of src/diffuse/bundle/ on the configured provider. */
import { NullcamError } from '../errors.js';
import type { BundleLoader } from './anonymizer-from-config.js';

// Placeholder until the bundle loader lands on this branch (merge of `bundle`).
export const openModelBundle: BundleLoader = async (dir) => {
  throw new NullcamError(`Cannot open the model bundle at ${dir}: this build has no bundle loader yet.`, 2);
};
