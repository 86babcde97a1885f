/**
 * Where converted models live by default. Kept apart from the store so library code never reads the
 * environment: the CLI calls this once and hands the result to `new ModelStore({cacheDir})`.
 */
import os from 'node:os';
import path from 'node:path';

/**
 * Resolves the default model cache directory.
 * @param env environment to read (default `process.env`)
 * @param home home directory (default `os.homedir()`)
 * @returns `$NULLCAM_MODEL_DIR`, else `$XDG_CACHE_HOME/nullcam/models`, else `~/.cache/nullcam/models`
 *   (empty variables, and a relative XDG_CACHE_HOME, count as unset, as the XDG base-dir spec says)
 * @example defaultModelCacheDir({}, '/home/ada') // '/home/ada/.cache/nullcam/models'
 */
export function defaultModelCacheDir(env: Readonly<Record<string, string | undefined>> = process.env, home: string = os.homedir()): string {
  if (env.NULLCAM_MODEL_DIR) return path.resolve(env.NULLCAM_MODEL_DIR);
  if (env.XDG_CACHE_HOME && path.isAbsolute(env.XDG_CACHE_HOME)) return path.join(env.XDG_CACHE_HOME, 'nullcam', 'models');
  return path.join(home, '.cache', 'nullcam', 'models');
}
