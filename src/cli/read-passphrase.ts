/**
 * Where a passphrase comes from: $NULLCAM_PASSPHRASE (scripts), a prompt on the terminal with echo off,
 * or the first line of stdin when it is not a terminal. Never from the command line, where other users
 * could read it in the process list.
 */
import { NullcamError } from '../errors.js';

/**
 * @param env the environment; NULLCAM_PASSPHRASE is deleted from it once read, so child processes
 *   spawned later (ffmpeg inherits process.env) never receive it
 * @param confirm ask twice on a terminal (when choosing a new passphrase)
 */
export async function readPassphrase(env: NodeJS.ProcessEnv, confirm = false): Promise<string> {
  let passphrase: string;
  if (env.NULLCAM_PASSPHRASE !== undefined) {
    passphrase = env.NULLCAM_PASSPHRASE;
    delete env.NULLCAM_PASSPHRASE;
  } else if (process.stdin.isTTY) {
    passphrase = await prompt('Passphrase: ');
    if (confirm && (await prompt('Repeat passphrase: ')) !== passphrase) throw new NullcamError('The two passphrases differ; run again.', 2);
  } else passphrase = (await readStdin()).split(/\r?\n/)[0];
  if (passphrase.length === 0) throw new NullcamError('Empty passphrase; set NULLCAM_PASSPHRASE, type one at the prompt, or pipe one on stdin.', 2);
  return passphrase;
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** Reads one line from the terminal without echoing it. */
function prompt(question: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const stdin = process.stdin;
    process.stderr.write(question);
    stdin.setRawMode(true);
    stdin.resume();
    let text = '';
    const done = (error?: Error): void => {
      stdin.setRawMode(false);
      stdin.pause();
      stdin.off('data', onData);
      process.stderr.write('\n');
      if (error) reject(error);
      else resolve(text);
    };
    const onData = (data: Buffer): void => {
      for (const ch of data.toString('utf8')) {
        if (ch === '\r' || ch === '\n') return done();
        if (ch === '\u0003') return done(new NullcamError('Interrupted.', 130));
        if (ch === '\u007f' || ch === '\b') text = text.slice(0, -1);
        else text += ch;
      }
    };
    stdin.on('data', onData);
  });
}
