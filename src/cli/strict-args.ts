/** parseArgs for a sub-command: strict, with its usage errors as one NullcamError line. */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { NullcamError } from '../errors.js';

export type ParsedArgs = { values: Record<string, string | boolean | undefined>; positionals: string[] };

export function strictArgs(argv: readonly string[], options: NonNullable<ParseArgsConfig['options']>, command: string, allowPositionals = false): ParsedArgs {
  try {
    return parseArgs({ args: [...argv], options, strict: true, allowPositionals }) as ParsedArgs;
  } catch (err) {
    throw new NullcamError(`${(err as Error).message.split('\n')[0]} Run "nullcam ${command} --help".`, 2, { cause: err });
  }
}
