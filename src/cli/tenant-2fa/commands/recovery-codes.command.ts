import type { Command } from 'commander';
import { CliRegenerateRecoveryCodesDocument } from '../../../client/generated/graphql';
import { behindGate } from '../challenge';
import { findTenant } from '../lookups';
import { printJson, printLine } from '../output';
import { readPassword } from '../prompts';
import { addCommonOptions, CommonOptions, Runtime } from '../runtime';
import { example } from './help';
import { tenantOption } from './tenant-option';
import { printRecoveryCodes } from './two-factor-status';

/** recovery-codes regenerate. (`recovery-codes view` comes with viewRecoveryCodes.) */
export function registerRecoveryCodesCommands(program: Command): void {
  const recoveryCodes = program
    .command('recovery-codes')
    .summary('regenerate your recovery codes')
    .description('Your recovery codes in a tenant.')
    .addHelpText('after', example('tenant-2fa recovery-codes regenerate --tenant "Acme Support"'));

  addCommonOptions(recoveryCodes.command('regenerate'))
    .summary('a fresh set of recovery codes')
    .description('Replace your recovery codes with a fresh set (every earlier code stops working); asks for your password, prints the new codes once.')
    .addOption(tenantOption())
    .option('--password-stdin', 'read the password from stdin instead of a hidden prompt')
    .addHelpText('after', example('tenant-2fa recovery-codes regenerate --tenant "Acme Support"'))
    .action(async (options: CommonOptions & { tenant: string; passwordStdin?: boolean }) => {
      const runtime = new Runtime(options);
      const { client } = runtime.signedIn();
      const tenant = await findTenant(client, options.tenant);
      const password = await readPassword({ passwordStdin: options.passwordStdin });
      const data = await behindGate(client, tenant, options.tenant, () => client.request(CliRegenerateRecoveryCodesDocument, { tenantId: tenant.id, password }));
      if (runtime.json) return printJson(data);
      printLine(`New recovery codes for ${tenant.name}; the earlier ones no longer work.`);
      printLine();
      printRecoveryCodes(data.regenerateRecoveryCodes.codes, printLine);
    });
}
