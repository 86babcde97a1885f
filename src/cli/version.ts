/** "nullcam 0.1.0", from package.json. */
import { readFileSync } from 'node:fs';

export function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return `nullcam ${pkg.version}`;
}
