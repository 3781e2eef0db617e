import type { Command } from 'commander';
import { CliSignInDocument, CliSignOutDocument, CliWhoamiDocument, SsoProviderForDocument } from '../../../client/generated/graphql';
import { signInThroughBrowser, type ApprovedSession } from '../browser-sign-in';
import { CliError, ExitCode, usageError } from '../exit-codes';
import { isGatewayError } from '../gateway-client';
import { findTenant } from '../lookups';
import { shellArg } from '../next-steps';
import { formatInstant, note, printFields, printJson, printLine } from '../output';
import { askLine, readPassword } from '../prompts';
import { addCommonOptions, CommonOptions, Runtime } from '../runtime';
import { example } from './help';

interface LoginOptions extends CommonOptions {
  email?: string;
  passwordStdin?: boolean;
  web?: boolean;
  sso?: boolean;
  tenant?: string;
  /** false with --no-browser */
  browser: boolean;
}

/** A tenant id as the gateway writes them (a UUID): `--tenant` can name one before any session exists. */
const TENANT_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** login, logout, whoami: the session the other commands use, one per gateway URL. */
export function registerAccountCommands(program: Command): void {
  addCommonOptions(program.command('login'))
    .summary('sign in and keep the token for this gateway')
    .description('Sign in and keep the session token for this gateway URL (in $XDG_CONFIG_HOME/tenant-2fa/credentials.json, mode 0600).')
    .option('--email <email>', 'your email (asked for when left out); with --sso, the address whose identity provider signs you in')
    .option('--password-stdin', 'read the password from stdin instead of a hidden prompt')
    .option('--web', 'sign in through a browser instead: prints a code and the console page that approves it (device sign-in), opens it where it can, and waits')
    .option('--tenant <tenant>', "with --web: the new session also holds this tenant's second factor, which the browser must have passed (tenant id; a name needs a session already)")
    .option(
      '--sso',
      "sign in through your organisation's identity provider (single sign-on), in a browser: finds the tenant whose provider serves your email, then a device sign-in for that tenant whose console page goes to the provider first",
    )
    .option('--no-browser', 'with --web or --sso: only print the page, do not open a browser')
    .addHelpText('after', '\nWith --json, the token is left out of the printed data: it stays in the credentials file.')
    .addHelpText('after', '\nWith --web or --sso, a denied or expired approval exits with 3 (not signed in). With --sso, an email no identity provider serves exits with 1.')
    .addHelpText('after', example('printf %s "$PASSWORD" | tenant-2fa login --email owner@demo.test --password-stdin'))
    .addHelpText('after', example('tenant-2fa login --web --tenant "Acme Support"'))
    .addHelpText('after', example('tenant-2fa login --sso --email nadia@northwind.example'))
    .action(async (options: LoginOptions) => {
      const runtime = new Runtime(options);
      if (options.sso) return loginThroughProvider(runtime, options);
      if (options.web) return loginThroughBrowser(runtime, options);
      if (options.tenant) throw usageError('--tenant goes with --web.', 'A password sign-in enters tenants afterwards: `tenant-2fa enter TENANT`.');
      const email = options.email ?? (await askLine('Email'));
      if (!email) throw usageError('No email given.', 'Pass --email EMAIL.');
      const password = await readPassword({ passwordStdin: options.passwordStdin });
      const data = await runtime.anonymous().request(CliSignInDocument, { email, password });
      const { token, ...session } = data.signIn;
      runtime.store.save(runtime.url, { token, agentId: session.agent.id, email: session.agent.email, expiresAt: session.expiresAt });
      // The token stays in the credentials file: --json shows the rest of signIn's data.
      if (runtime.json) return printJson({ signIn: session });
      printLine(`Signed in to ${runtime.url} as ${session.agent.email} until ${formatInstant(session.expiresAt)}.`);
      note(`Next: \`tenant-2fa tenants\` lists your tenants.`);
    });

  addCommonOptions(program.command('logout'))
    .summary('sign out and forget the token')
    .description('Sign out at the gateway and forget the stored token for this URL.')
    .addHelpText('after', example('tenant-2fa logout'))
    .action(async (options: CommonOptions) => {
      const runtime = new Runtime(options);
      const session = runtime.store.get(runtime.url);
      if (!session) {
        if (runtime.json) return printJson({ signOut: false });
        return printLine(`Not signed in to ${runtime.url}: nothing to do.`);
      }
      let data = { signOut: true };
      try {
        data = await runtime.clientFor(session).request(CliSignOutDocument, {});
      } catch (error) {
        // An expired or revoked token is signed out already; any other failure leaves the session alive there.
        if (!isGatewayError(error, 'UNAUTHENTICATED')) {
          runtime.store.forget(runtime.url);
          note('The token was forgotten here, but the gateway did not confirm the sign-out: the session stays valid there until it expires.');
          throw error;
        }
      }
      runtime.store.forget(runtime.url);
      if (runtime.json) return printJson(data);
      printLine(`Signed out of ${runtime.url}.`);
    });

  addCommonOptions(program.command('whoami'))
    .summary('who you are signed in as')
    .description('Show who you are signed in as at this gateway URL.')
    .addHelpText('after', example('tenant-2fa whoami --url https://gateway.example.com/graphql'))
    .action(async (options: CommonOptions) => {
      const runtime = new Runtime(options);
      const { client, session } = await runtime.signedIn();
      const data = await client.request(CliWhoamiDocument, {});
      if (!data.me) {
        throw new CliError(`Your session at ${runtime.url} has ended.`, ExitCode.NOT_SIGNED_IN, { code: 'UNAUTHENTICATED', hint: 'Run `tenant-2fa login`.' });
      }
      if (runtime.json) return printJson(data);
      printFields([
        ['Email', data.me.email],
        ['Name', data.me.name],
        ['Agent id', data.me.id],
        ['Gateway', runtime.url],
        ['Session until', formatInstant(session.expiresAt)],
      ]);
    });
}

/** login --web: device sign-in through the console, saved like a password sign-in. */
async function loginThroughBrowser(runtime: Runtime, options: LoginOptions): Promise<void> {
  if (options.email || options.passwordStdin) throw usageError('--web signs in through the browser: leave out --email and --password-stdin.');
  const tenantId = options.tenant ? await tenantIdFor(runtime, options.tenant) : null;
  const approved = await signInThroughBrowser(runtime.anonymous(), { tenantId, openBrowser: options.browser && runtime.canOpenBrowser });
  keepApproved(runtime, approved, tenantId ? `enter ${shellArg(options.tenant!)}` : 'tenants');
}

/**
 * login --sso: the tenant whose identity provider serves the address (ssoProviderFor, asked anonymously), then a
 * device sign-in for that tenant whose page sends a browser without a session to the provider first.
 */
async function loginThroughProvider(runtime: Runtime, options: LoginOptions): Promise<void> {
  if (options.passwordStdin || options.tenant) throw usageError('--sso signs in through your identity provider: leave out --password-stdin and --tenant.');
  const email = options.email ?? (await askLine('Email'));
  if (!email) throw usageError('No email given.', 'Pass --email EMAIL: its domain picks the identity provider.');
  const { ssoProviderFor: tenant } = await runtime.anonymous().request(SsoProviderForDocument, { email });
  if (!tenant) {
    throw new CliError(`No identity provider signs in ${email} here.`, ExitCode.FAILURE, { hint: `Sign in with your password: \`tenant-2fa login --email ${shellArg(email)}\`.` });
  }
  const approved = await signInThroughBrowser(runtime.anonymous(), { sso: tenant, openBrowser: options.browser && runtime.canOpenBrowser });
  keepApproved(runtime, approved, `enter ${shellArg(tenant.name)}`);
}

/** The session a browser approved, kept like a password sign-in's. */
function keepApproved(runtime: Runtime, approved: ApprovedSession, next: string): void {
  const { token, ...session } = approved;
  runtime.store.save(runtime.url, { token, agentId: session.agent.id, email: session.agent.email, expiresAt: session.expiresAt });
  if (runtime.json) return printJson({ pollDeviceSignIn: session });
  printLine(`Signed in to ${runtime.url} as ${session.agent.email} until ${formatInstant(session.expiresAt)}.`);
  note(`Next: \`tenant-2fa ${next}\`.`);
}

/** A tenant id as given, or a name looked up with the session stored already (an anonymous device cannot look names up). */
async function tenantIdFor(runtime: Runtime, ref: string): Promise<string> {
  if (TENANT_ID.test(ref)) return ref.toLowerCase();
  if (!runtime.store.get(runtime.url)) {
    throw usageError(`Give the tenant's id to --tenant: a name can be looked up only when signed in.`, 'The console shows the id on the tenant\'s admin page; `tenant-2fa tenants` lists ids once signed in.');
  }
  const { client } = await runtime.signedIn();
  return (await findTenant(client, ref)).id;
}
