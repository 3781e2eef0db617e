import type { Command } from 'commander';
import { CliSignUpDocument } from '../../../client/generated/graphql';
import { usageError } from '../exit-codes';
import { formatInstant, note, printJson, printLine } from '../output';
import { askLine, readNewPassword } from '../prompts';
import { addCommonOptions, CommonOptions, Runtime } from '../runtime';
import { example } from './help';
import { invitationToken } from './invitation-ref';

interface SignUpOptions extends CommonOptions {
  email?: string;
  name?: string;
  invitation?: string;
  passwordStdin?: boolean;
}

/** signup: create an account (where the gateway's SIGN_UP allows it) and keep its session, as `login` does. */
export function registerSignUpCommand(program: Command): void {
  addCommonOptions(program.command('signup'))
    .summary('create an account and sign in')
    .description(
      "Create an account and keep its session for this gateway URL, as `login` does. Where the gateway takes sign-ups by invitation only, give the invitation's link (or its token) with --invitation: the account then joins the tenant, its address verified. Otherwise a verification link goes to the address.",
    )
    .option('--email <email>', 'your email (asked for when left out)')
    .option('--name <name>', 'your name as others see it (asked for when left out)')
    .option('--invitation <link>', "the invitation e-mail's link, or its token")
    .option('--password-stdin', 'read the new password from stdin instead of a hidden prompt')
    .addHelpText('after', example('printf %s "$PASSWORD" | tenant-2fa signup --email ann@example.com --name Ann --invitation "https://gateway.example.com/invitation?token=…" --password-stdin'))
    .action(async (options: SignUpOptions) => {
      const runtime = new Runtime(options);
      const email = options.email ?? (await askLine('Email'));
      if (!email) throw usageError('No email given.', 'Pass --email EMAIL.');
      const name = options.name ?? (await askLine('Your name'));
      if (!name) throw usageError('No name given.', 'Pass --name NAME.');
      const password = await readNewPassword({ passwordStdin: options.passwordStdin });
      const data = await runtime.anonymous().request(CliSignUpDocument, { email, name, password, invitationToken: options.invitation ? invitationToken(options.invitation) : null });
      const { token, ...session } = data.signUp;
      runtime.store.save(runtime.url, { token, agentId: session.agent.id, email: session.agent.email, expiresAt: session.expiresAt });
      if (runtime.json) return printJson({ signUp: session });
      printLine(`Signed up and signed in to ${runtime.url} as ${session.agent.email} until ${formatInstant(session.expiresAt)}.`);
      if (options.invitation) note('You joined the tenant that invited you: `tenant-2fa tenants` lists it.');
      else note(`A verification link is on its way to ${session.agent.email}. Next: \`tenant-2fa tenants create NAME\` makes a tenant of your own.`);
    });
}
