/** The one strict command-line parser of every sub-command: parseArgs, with usage errors as one NullcamError line. */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { NullcamError } from '../errors.js';

export interface CommandLineRules {
  /** Whether the command takes positional arguments (default true). */
  readonly positionals?: boolean;
  /** What a usage error ends with; default `Run "nullcam COMMAND --help" for the options.` */
  readonly hint?: string;
}

/**
 * Strict parse of a command's options and positionals.
 * @param command the sub-command as typed after `nullcam` (named in the error's hint)
 * @throws NullcamError (exit 2) naming the bad option or argument, and where the command's help is
 */
export function parseCommandLine<const O extends NonNullable<ParseArgsConfig['options']>>(argv: readonly string[], options: O, command: string, rules: CommandLineRules = {}) {
  const hint = rules.hint ?? `Run "nullcam ${command} --help" for the options.`;
  let parsed;
  try {
    parsed = parseArgs({ args: [...argv], allowPositionals: true, strict: true, options });
  } catch (err) {
    throw new NullcamError(`${(err as Error).message.split('\n')[0]} ${hint}`, 2, { cause: err });
  }
  if (rules.positionals === false && parsed.positionals.length > 0) {
    throw new NullcamError(`Unexpected argument '${parsed.positionals[0]}': nullcam ${command} takes none. ${hint}`, 2);
  }
  return parsed;
}
