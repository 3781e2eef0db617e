import { input, password } from '@inquirer/prompts';
import { CliError, ExitCode, usageError } from './exit-codes';

/** Prompts write to stderr, so `--json` output on stdout stays clean. */
const promptContext = { output: process.stderr };

export function isInteractive(): boolean {
  return Boolean(process.stdin.isTTY);
}

/**
 * The password: from stdin with `--password-stdin` (scripts never put it on a command line), else from a
 * prompt that shows nothing of what is typed.
 */
export async function readPassword(options: { passwordStdin?: boolean; message?: string }): Promise<string> {
  if (options.passwordStdin) {
    const text = (await readStdin()).replace(/\r?\n$/, '');
    if (!text) throw usageError('--password-stdin was given but stdin was empty.', 'Pipe the password in: `printf %s "$PASSWORD" | tenant-2fa … --password-stdin`.');
    return text;
  }
  if (!isInteractive()) {
    throw usageError('No terminal to ask for the password.', 'Pipe it in with --password-stdin.');
  }
  return ask(() => password({ message: options.message ?? 'Password', validate: (value) => value.length > 0 || 'Type your password.' }, promptContext));
}

/** A line of visible input (an email, a code); null when there is no terminal to ask at. */
export async function askLine(message: string, validate?: (value: string) => true | string): Promise<string | null> {
  if (!isInteractive()) return null;
  const answer = await ask(() => input({ message, validate: validate ?? ((value) => value.trim().length > 0 || 'Type something.') }, promptContext));
  return answer.trim();
}

async function ask<T>(prompt: () => Promise<T>): Promise<T> {
  try {
    return await prompt();
  } catch (error) {
    if ((error as Error)?.name === 'ExitPromptError') throw new CliError('Cancelled.', ExitCode.FAILURE);
    throw error;
  }
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
