/** The BundleLoader the CLI uses: the bundle loader of src/diffuse/bundle/ on the configured provider. */
import { loadModelBundle } from '../diffuse/bundle/load-model-bundle.js';
import type { BundleLoader } from './anonymizer-from-config.js';

export const openModelBundle: BundleLoader = (dir, executionProvider) => loadModelBundle(dir, { executionProvider });
