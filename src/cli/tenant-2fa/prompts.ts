import { CliError, ExitCode, usageError } from './exit-codes';

// @inquirer/prompts is loaded when a prompt is shown (`await import`): it is most of the CLI's start-up
// time, which `--help`, `--json` runs and every command given its answers on the command line would pay for nothing.

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
  const { password } = await import('@inquirer/prompts');
  return ask(() => password({ message: options.message ?? 'Password', validate: (value) => value.length > 0 || 'Type your password.' }, promptContext));
}

/** A new password: from stdin with `--password-stdin`, else typed twice at hidden prompts (a typo is caught here). */
export async function readNewPassword(options: { passwordStdin?: boolean }): Promise<string> {
  if (options.passwordStdin) return readPassword({ passwordStdin: true });
  const first = await readPassword({ message: 'New password (at least 8 characters)' });
  const again = await readPassword({ message: 'The new password again' });
  if (first !== again) throw usageError('The two new passwords differ: nothing was changed.');
  return first;
}

/** The first `count` lines of stdin (scripts pipe secrets in, one per line). */
export async function readStdinLines(count: number): Promise<string[]> {
  const lines = (await readStdin()).split(/\r?\n/);
  return Array.from({ length: count }, (_, i) => lines[i] ?? '');
}

/** A line of visible input (an email, a code); null when there is no terminal to ask at. */
export async function askLine(message: string, validate?: (value: string) => true | string): Promise<string | null> {
  if (!isInteractive()) return null;
  const { input } = await import('@inquirer/prompts');
  const answer = await ask(() => input({ message, validate: validate ?? ((value) => value.trim().length > 0 || 'Type something.') }, promptContext));
  return answer.trim();
}

/**
 * Yes or no before an irreversible change, default no. `--yes` answers it for scripts; without a terminal and
 * without `--yes` the command stops (exit 2) rather than decide for the user.
 */
export async function confirmChange(message: string, options: { yes?: boolean }): Promise<void> {
  if (options.yes) return;
  if (!isInteractive()) throw usageError('No terminal to ask for confirmation.', 'Pass --yes to go ahead without asking.');
  const { confirm } = await import('@inquirer/prompts');
  if (!(await ask(() => confirm({ message, default: false }, promptContext)))) throw new CliError('Cancelled: nothing was changed.', ExitCode.FAILURE);
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
