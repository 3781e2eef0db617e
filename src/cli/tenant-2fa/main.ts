#!/usr/bin/env node
import { CommanderError } from 'commander';
import { CliError, ExitCode } from './exit-codes';
import { GatewayError } from './gateway-client';
import { hintFor, messageFor } from './next-steps';
import { note } from './output';
import { buildProgram } from './program';
import { reportContext } from './runtime';

/**
 * `tenant-2fa`: parses the command line, runs the command, and turns whatever went wrong into one message, what
 * to do next, and an exit code. No stack trace reaches the user.
 */
async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
    return ExitCode.OK;
  } catch (error) {
    return report(error);
  }
}

function report(error: unknown): number {
  if (error instanceof CommanderError) {
    // commander has printed its message (or the help / version) already.
    const done = ['commander.helpDisplayed', 'commander.version'].includes(error.code) || (error.code === 'commander.help' && error.exitCode === 0);
    return done ? ExitCode.OK : ExitCode.USAGE;
  }
  if (error instanceof CliError) {
    const message = (error instanceof GatewayError && messageFor(error, reportContext)) || error.message;
    const prefix = error.code && !message.startsWith(error.code) ? `${error.code}: ` : '';
    const lines = [`Error: ${prefix}${message}`];
    const hint = error.hint ?? (error instanceof GatewayError ? hintFor(error, reportContext) : undefined);
    if (hint) lines.push(hint);
    if (error.requestId && (reportContext.verbose || error.code === 'INTERNAL_SERVER_ERROR')) lines.push(`Request id: ${error.requestId}`);
    note(lines.join('\n')); // a message may quote what the gateway sent
    return error.exitCode;
  }
  // A defect in the CLI itself: say so briefly; the stack helps nobody at the terminal.
  note(`Error: ${(error as Error)?.message ?? String(error)}\nThis is a defect in tenant-2fa; run again with --verbose and report it.`);
  return ExitCode.FAILURE;
}

// A closed pipe (`tenant-2fa … | head`) is not an error.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(ExitCode.OK);
});

main(process.argv).then((code) => {
  process.exitCode = code;
});
