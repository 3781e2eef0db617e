import type { Command } from 'commander';
import { CliRemovePasskeyDocument, CliRenamePasskeyDocument, CliTwoFactorStatusDocument } from '../../../client/generated/graphql';
import { openInBrowser } from '../browser-sign-in';
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
import { printMyFactors, printPasskeys } from './two-factor-status';

/** The console page where passkeys are added (web/src/main.ts routes it; one card per tenant). */
export const CONSOLE_TWO_FACTOR_PATH = '/my/profile/two-factor';

interface TenantOptions extends CommonOptions {
  tenant: string;
}

/** passkeys list / rename / remove, and add, which needs a browser and so points at the console. */
export function registerPasskeysCommands(program: Command): void {
  const passkeys = program
    .command('passkeys')
    .summary('your passkeys in a tenant: list, add, rename, remove')
    .description('Your passkeys (WebAuthn) in a tenant: list, rename and remove them here; adding one needs a browser, so `add` prints the console page that does it.')
    .addHelpText('after', example('tenant-2fa passkeys list --tenant "Acme Support"'));

  addCommonOptions(passkeys.command('list'))
    .summary('your passkeys in a tenant')
    .description('List your passkeys in a tenant: name, id, created, last used, and whether it is synced (backed up) or on this device only.')
    .addOption(tenantOption())
    .addHelpText('after', example("tenant-2fa passkeys list --tenant \"Acme Support\" --json | jq -r '.me.twoFactor.passkeys[].id'"))
    .action(async (options: TenantOptions) => {
      const runtime = new Runtime(options);
      const { client } = await runtime.signedIn();
      const tenant = await findTenant(client, options.tenant);
      const data = await client.request(CliTwoFactorStatusDocument, { tenantId: tenant.id });
      if (runtime.json) return printJson(data);
      const list = data.me!.twoFactor.passkeys;
      if (!list.length) return printLine(`You have no passkeys in ${tenant.name}. \`tenant-2fa passkeys add --tenant ${shellArg(options.tenant)}\` says where to add one.`);
      printPasskeys(list);
    });

  addCommonOptions(passkeys.command('add'))
    .summary('open the console page that adds a passkey')
    .description(
      "A passkey is made by your browser or phone (WebAuthn), not in a terminal: this opens (where a browser can be opened) and prints the console page where you add one (My profile → Two-factor authentication → \"Passkeys in TENANT\" → Add a passkey). With --json: { \"consoleUrl\": … }, and nothing is opened.",
    )
    .addOption(tenantOption())
    .option('--no-browser', 'only print the page, do not open a browser')
    .addHelpText('after', example('tenant-2fa passkeys add --tenant "Acme Support"'))
    .action(async (options: TenantOptions & { browser: boolean }) => {
      const runtime = new Runtime(options);
      const { client } = await runtime.signedIn();
      const tenant = await findTenant(client, options.tenant);
      // The console is served by the gateway itself, at the GraphQL address's origin.
      const consoleUrl = new URL(CONSOLE_TWO_FACTOR_PATH, runtime.url).toString();
      if (runtime.json) return printJson({ consoleUrl });
      if (options.browser && runtime.canOpenBrowser) await openInBrowser(consoleUrl);
      printLine(`Passkeys are added in a browser. Open ${consoleUrl}`);
      printLine(`and choose "Add a passkey" under "Passkeys in ${tenant.name}".`);
      if (!tenant.twoFactorEnabled) note(`Two-factor is off in ${tenant.name}, so passkeys cannot be added there until an owner or admin turns it on.`);
    });

  addCommonOptions(passkeys.command('rename'))
    .summary('give a passkey a new name')
    .description('Rename one of your passkeys (1 to 64 characters). Needs this session to have passed the tenant\'s challenge; asks for it at a terminal.')
    .addOption(tenantOption())
    .argument('<id>', 'the passkey id, from `tenant-2fa passkeys list`')
    .argument('<name>', 'the new name')
    .addHelpText('after', example('tenant-2fa passkeys rename --tenant "Acme Support" 01a222dd-d086-76fa-973d-f9443b174172 "Work laptop"'))
    .action(async (id: string, name: string, options: TenantOptions) => {
      const runtime = new Runtime(options);
      const { client } = await runtime.signedIn();
      const tenant = await findTenant(client, options.tenant);
      const data = await behindGate(client, tenant, options.tenant, () => client.request(CliRenamePasskeyDocument, { tenantId: tenant.id, passkeyId: id, name })).catch(unknownPasskey(id, options.tenant));
      if (runtime.json) return printJson(data);
      printLine(`Renamed passkey ${id} to "${data.renamePasskey.name}".`);
    });

  addCommonOptions(passkeys.command('remove'))
    .summary('remove a passkey')
    .description(
      "Remove one of your passkeys; asks for your password. Refused (LAST_FACTOR) when it is your last second factor in the tenant: add another, or turn two-factor off with `disable`. Needs this session to have passed the tenant's challenge; asks for it at a terminal.",
    )
    .addOption(tenantOption())
    .argument('<id>', 'the passkey id, from `tenant-2fa passkeys list`')
    .option('--password-stdin', 'read the password from stdin instead of a hidden prompt')
    .addHelpText('after', example('printf %s "$PASSWORD" | tenant-2fa passkeys remove --tenant "Acme Support" 01a222dd-d086-76fa-973d-f9443b174172 --password-stdin'))
    .action(async (id: string, options: TenantOptions & { passwordStdin?: boolean }) => {
      const runtime = new Runtime(options);
      const { client } = await runtime.signedIn();
      const tenant = await findTenant(client, options.tenant);
      const password = await readPassword({ passwordStdin: options.passwordStdin });
      const data = await behindGate(client, tenant, options.tenant, () => client.request(CliRemovePasskeyDocument, { tenantId: tenant.id, passkeyId: id, password })).catch(
        unknownPasskey(id, options.tenant),
      );
      if (runtime.json) return printJson(data);
      printLine(`Removed passkey ${id} in ${tenant.name}.`);
      printMyFactors(data.removePasskey);
    });
}

/** NOT_FOUND names the passkey id, not the tenant (which was found already). */
function unknownPasskey(id: string, tenantRef: string) {
  return (error: unknown): never => {
    if (!isGatewayError(error, 'NOT_FOUND')) throw error;
    throw new CliError(`You have no passkey ${id} in this tenant.`, ExitCode.FAILURE, {
      code: 'NOT_FOUND',
      hint: `Run \`tenant-2fa passkeys list --tenant ${shellArg(tenantRef)}\` for the ids.`,
      requestId: error.requestId,
    });
  };
}
