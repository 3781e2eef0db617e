import type { Command } from 'commander';
import { CliDisableTwoFactorDocument } from '../../../client/generated/graphql';
import { behindGate } from '../challenge';
import { findTenant } from '../lookups';
import { printJson, printLine } from '../output';
import { readPassword } from '../prompts';
import { addCommonOptions, CommonOptions, Runtime } from '../runtime';
import { example } from './help';
import { tenantOption } from './tenant-option';
import { printTwoFactorStatus } from './two-factor-status';

/** disable: turns your own two-factor off in one tenant (authenticator and recovery codes). */
export function registerDisableCommand(program: Command): void {
  addCommonOptions(program.command('disable'))
    .summary('turn your own 2FA off in a tenant')
    .description('Turn your own two-factor authentication off in a tenant: removes your authenticator and recovery codes there; asks for your password.')
    .addOption(tenantOption())
    .option('--password-stdin', 'read the password from stdin instead of a hidden prompt')
    .addHelpText('after', example('printf %s "$PASSWORD" | tenant-2fa disable --tenant Globex --password-stdin'))
    .action(async (options: CommonOptions & { tenant: string; passwordStdin?: boolean }) => {
      const runtime = new Runtime(options);
      const { client } = await runtime.signedIn();
      const tenant = await findTenant(client, options.tenant);
      const password = await readPassword({ passwordStdin: options.passwordStdin });
      const data = await behindGate(client, tenant, options.tenant, () => client.request(CliDisableTwoFactorDocument, { tenantId: tenant.id, password }));
      if (runtime.json) return printJson(data);
      printLine(`Two-factor authentication is off for you in ${tenant.name}.`);
      printTwoFactorStatus(data.disableTwoFactor);
    });
}
