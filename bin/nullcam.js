#!/usr/bin/env node
// Thin launcher: the CLI is compiled TypeScript in dist/ (npm run build, run by scripts/setup.sh).
import { existsSync } from 'node:fs';

const entry = new URL('../dist/cli/main.js', import.meta.url);
if (!existsSync(entry)) {
  console.error('nullcam is not built yet: run "npm run build" (or bash scripts/setup.sh) in the nullcam folder.');
  process.exit(1);
}
const { main } = await import(entry.href);
process.exitCode = await main(process.argv.slice(2));
