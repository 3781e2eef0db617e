import type { Command } from 'commander';
import { CliChangePasswordDocument, CliRequestPasswordResetDocument } from '../../../client/generated/graphql';
import { behindGate } from '../challenge';
import { usageError } from '../exit-codes';
import { note, printJson, printLine } from '../output';
import { askLine, isInteractive, readNewPassword, readPassword, readStdinLines } from '../prompts';
import { addCommonOptions, CommonOptions, Runtime } from '../runtime';
import { example } from './help';

/** password change / reset-request: your own password. */
export function registerPasswordCommands(program: Command): void {
  const password = program
    .command('password')
    .summary('change your password, or ask for a reset link')
    .description('Change your password (signed in), or ask for a reset link by e-mail when you have forgotten it.')
    .addHelpText('after', example('tenant-2fa password change'));

  addCommonOptions(password.command('change'))
    .summary('change your password; your other sessions are signed out')
    .description(
      'Change your password: the current one is re-checked (5 wrong tries in 15 minutes lock re-checks for 15 minutes). Every other session of yours is signed out; this one stays. You get an e-mail saying so.',
    )
    .option('--password-stdin', 'read the current password, then the new one, from two lines of stdin')
    .addHelpText('after', example('printf "%s\\n%s" "$OLD" "$NEW" | tenant-2fa password change --password-stdin'))
    .action(async (options: CommonOptions & { passwordStdin?: boolean }) => {
      const runtime = new Runtime(options);
      const { client } = await runtime.signedIn();
      let currentPassword: string;
      let newPassword: string;
      if (options.passwordStdin) {
        [currentPassword, newPassword] = await readStdinLines(2);
        if (!currentPassword || !newPassword) throw usageError('--password-stdin wants two lines: the current password, then the new one.');
      } else {
        currentPassword = await readPassword({ message: 'Current password' });
        newPassword = await readNewPassword({});
      }
      // A privileged action: without a recent second factor in one of your tenants, the code is asked here, once.
      const data = await behindGate(client, null, null, () => client.request(CliChangePasswordDocument, { currentPassword, newPassword }));
      if (runtime.json) return printJson(data);
      printLine('Password changed. Your other sessions are signed out; this one stays.');
    });

  addCommonOptions(password.command('reset-request'))
    .summary('e-mail yourself a link to set a new password')
    .description(
      "Ask for a password-reset link (no session needed). The gateway answers the same whether or not the address has an account; when it has, a single-use link valid for 30 minutes goes there. Open it in a browser to set the new password.",
    )
    .option('--email <email>', 'the address of your account (asked for when left out)')
    .addHelpText('after', example('tenant-2fa password reset-request --email ann@example.com'))
    .action(async (options: CommonOptions & { email?: string }) => {
      const runtime = new Runtime(options);
      const email = options.email ?? (isInteractive() ? await askLine('Email') : null);
      if (!email) throw usageError('No email given.', 'Pass --email EMAIL.');
      const data = await runtime.anonymous().request(CliRequestPasswordResetDocument, { email });
      if (runtime.json) return printJson(data);
      printLine(`If ${email} has an account here, a reset link is on its way (valid for 30 minutes).`);
      note('Open the link in a browser to set a new password; your second factors stay as they are.');
    });
}
