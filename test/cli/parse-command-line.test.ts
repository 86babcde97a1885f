/** The one command-line parser every sub-command goes through, and the help text it points to. */
import { describe, expect, it } from 'vitest';
import { anonymizeHelp } from '../../src/cli/help.js';
import { parseCommandLine } from '../../src/cli/parse-command-line.js';
import { parseProxyArgs } from '../../src/cli/proxy-args.js';
import { makeTestBundleCommand } from '../../src/cli/make-test-bundle-command.js';
import { NullcamError } from '../../src/errors.js';

const OPTIONS = { output: { type: 'string', short: 'o' }, json: { type: 'boolean' } } as const;

describe('parseCommandLine', () => {
  it('parses typed values and positionals', () => {
    expect(parseCommandLine(['in.mp4', '-o', 'out.mp4', '--json'], OPTIONS, 'x')).toMatchObject({ values: { output: 'out.mp4', json: true }, positionals: ['in.mp4'] });
  });

  it.each([
    [['--nope'], {}, /^Unknown option '--nope'.* Run "nullcam keygen --help" for the options\.$/],
    [['stray'], { positionals: false }, `Unexpected argument 'stray': nullcam keygen takes none. Run "nullcam keygen --help" for the options.`],
    [['-o'], { hint: 'Usage: nullcam keygen -o FILE' }, /^Option '-o, --output <value>' argument missing.* Usage: nullcam keygen -o FILE$/],
  ] as const)('%j is one usage line, exit 2', (argv, rules, message) => {
    const parse = () => parseCommandLine(argv, OPTIONS, 'keygen', rules);
    expect(parse).toThrow(NullcamError);
    expect(parse).toThrow(message);
    try {
      parse();
    } catch (error) {
      expect((error as NullcamError).exitCode).toBe(2);
      expect((error as NullcamError).message).not.toContain('\n');
    }
  });

  it('is what proxy and make-test-bundle parse with', () => {
    expect(() => parseProxyArgs(['rtsp://cam/1', '--serv', 'x'])).toThrow(/^Unknown option '--serv'.* Run "nullcam proxy --help" for the options\.$/);
    expect(() => makeTestBundleCommand(['dir', '--sed', '1'])).toThrow(/^Unknown option '--sed'.* Usage: nullcam models make-test-bundle DIR /);
  });
});

describe('anonymize --help', () => {
  it('lists --key-file and --passphrase once each, as the master key from nullcam keygen', () => {
    const help = anonymizeHelp();
    expect(help.match(/^ {2}-k, --key-file/gm)).toHaveLength(1);
    expect(help.match(/^ {6}--passphrase/gm)).toHaveLength(1);
    expect(help).toMatch(/-k, --key-file KEY {6}master key from nullcam keygen: also write recovery data \(OUTPUT\.nullrec/);
    expect(help).not.toMatch(/random bytes/);
  });
});
