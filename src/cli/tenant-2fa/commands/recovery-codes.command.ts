import type { Command } from 'commander';
import { CliRegenerateRecoveryCodesDocument, CliViewRecoveryCodesDocument } from '../../../client/generated/graphql';
import { behindGate } from '../challenge';
import { CliError, ExitCode } from '../exit-codes';
import { isGatewayError } from '../gateway-client';
import { findTenant } from '../lookups';
import { shellArg } from '../next-steps';
import { note, printJson, printLine } from '../output';
import { readPassword } from '../prompts';
import { addCommonOptions, CommonOptions, Runtime } from '../runtime';
import { example } from './help';
import { tenantOption } from './tenant-option';
import { printRecoveryCodes } from './two-factor-status';

/** recovery-codes regenerate / view. */
export function registerRecoveryCodesCommands(program: Command): void {
  const recoveryCodes = program
    .command('recovery-codes')
    .summary('regenerate or view your recovery codes')
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
      const { client } = await runtime.signedIn();
      const tenant = await findTenant(client, options.tenant);
      const password = await readPassword({ passwordStdin: options.passwordStdin });
      const data = await behindGate(client, tenant, options.tenant, () => client.request(CliRegenerateRecoveryCodesDocument, { tenantId: tenant.id, password }));
      if (runtime.json) return printJson(data);
      printLine(`New recovery codes for ${tenant.name}; the earlier ones no longer work.`);
      printLine();
      printRecoveryCodes(data.regenerateRecoveryCodes.codes, printLine, tenant.recoveryCodeVisibility);
    });

  addCommonOptions(recoveryCodes.command('view'))
    .summary('your unused recovery codes again (where the tenant allows it)')
    .description(
      'Show your unused recovery codes again; asks for your password. Only in tenants whose recovery codes are viewable (see `auth status`); elsewhere they are shown once, and regenerating gives a new set.',
    )
    .addOption(tenantOption())
    .option('--password-stdin', 'read the password from stdin instead of a hidden prompt')
    .addHelpText('after', example('printf %s "$PASSWORD" | tenant-2fa recovery-codes view --tenant "Acme Support" --password-stdin'))
    .action(async (options: CommonOptions & { tenant: string; passwordStdin?: boolean }) => {
      const runtime = new Runtime(options);
      const { client } = await runtime.signedIn();
      const tenant = await findTenant(client, options.tenant);
      const password = await readPassword({ passwordStdin: options.passwordStdin });
      const data = await behindGate(client, tenant, options.tenant, () => client.request(CliViewRecoveryCodesDocument, { tenantId: tenant.id, password })).catch((error: unknown) => {
        if (!isGatewayError(error, 'RECOVERY_CODES_NOT_VIEWABLE')) throw error;
        throw new CliError(`${tenant.name} shows recovery codes only once; regenerate them instead.`, ExitCode.FAILURE, {
          code: 'RECOVERY_CODES_NOT_VIEWABLE',
          hint: `Run \`tenant-2fa recovery-codes regenerate --tenant ${shellArg(options.tenant)}\` for a new set (the earlier codes stop working).`,
          requestId: error.requestId,
        });
      });
      if (runtime.json) return printJson(data);
      const { codes, status } = data.viewRecoveryCodes;
      printLine(`Your unused recovery codes in ${tenant.name} (${codes.length} viewable of ${status.recoveryCodesRemaining} left):`);
      printLine();
      for (const code of codes) printLine(`  ${code}`);
      printLine();
      if (codes.length < status.recoveryCodesRemaining) {
        note(`Codes issued before the tenant made them viewable cannot be shown; \`tenant-2fa recovery-codes regenerate --tenant ${shellArg(options.tenant)}\` issues a viewable set.`);
      }
    });
}
