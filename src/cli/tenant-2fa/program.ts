import { Command } from 'commander';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { registerAccountCommands } from './commands/account.command';
import { registerAdminCommands } from './commands/admin.command';
import { registerAuthCommands } from './commands/auth.command';
import { registerDevicesCommands } from './commands/devices.command';
import { registerDisableCommand } from './commands/disable.command';
import { registerEnterCommand } from './commands/enter.command';
import { example } from './commands/help';
import { registerPasskeysCommands } from './commands/passkeys.command';
import { registerRecoveryCodesCommands } from './commands/recovery-codes.command';
import { registerSessionsCommands } from './commands/sessions.command';
import { registerTenantsCommand } from './commands/tenants.command';
import { registerTokenCommand } from './commands/token.command';
import { registerTotpCommands } from './commands/totp.command';
import { registerInvitationCommands } from './commands/invitations.command';
import { registerPasswordCommands } from './commands/password.command';
import { registerSignUpCommand } from './commands/signup.command';

const EXIT_CODES = `
Exit codes:
  0  success
  1  anything else (the message says what)
  2  usage error
  3  not signed in, or the session expired: run \`tenant-2fa login\` (also: login --web or --sso denied or expired)
  4  a second factor is needed or was refused (the error code is printed)
  5  the gateway is unreachable

Environment:
  GATEWAY_URL      the gateway's GraphQL address (default http://localhost:4000/graphql); --url overrides it
  XDG_CONFIG_HOME  where credentials.json is kept (default ~/.config), under tenant-2fa/
`;

/**
 * The command tree. Each group lives in its own module under commands/ and registers itself.
 */
export function buildProgram(): Command {
  const program = new Command('tenant-2fa')
    .description('Command-line client of the tenant 2FA gateway: sign in, enter tenants, manage your second factor, and administer tenants.')
    .version(packageVersion(), '-V, --version')
    // Settings copied to every subcommand added below: commander throws instead of exiting, so main.ts owns the exit code.
    .exitOverride()
    // Options after a subcommand are that subcommand's (`tenants create NAME --json`, beside `tenants --json`).
    .enablePositionalOptions()
    .showHelpAfterError('(add --help for the options and an example)')
    .configureHelp({ sortSubcommands: false, showGlobalOptions: false })
    .addHelpText('after', `${example('tenant-2fa login --email owner@demo.test')}${EXIT_CODES}`);

  registerAccountCommands(program);
  registerSignUpCommand(program);
  registerPasswordCommands(program);
  registerTenantsCommand(program);
  registerInvitationCommands(program);
  registerEnterCommand(program);
  registerTokenCommand(program);
  registerAuthCommands(program);
  registerTotpCommands(program);
  registerPasskeysCommands(program);
  registerRecoveryCodesCommands(program);
  registerDisableCommand(program);
  registerSessionsCommands(program);
  registerDevicesCommands(program);
  registerAdminCommands(program);
  return program;
}

function packageVersion(): string {
  try {
    // dist/src/cli/tenant-2fa/program.js → the repository's package.json
    const file = path.resolve(__dirname, '../../../../package.json');
    return (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}
