import type { Command } from 'commander';
import { CliTwoFactorStatusDocument } from '../../../client/generated/graphql';
import { findTenant } from '../lookups';
import { printJson } from '../output';
import { addCommonOptions, CommonOptions, Runtime } from '../runtime';
import { example } from './help';
import { tenantOption } from './tenant-option';
import { printMyFactors } from './two-factor-status';

/** auth status: your own two-factor status in one tenant. */
export function registerAuthCommands(program: Command): void {
  const auth = program
    .command('auth')
    .summary('your 2FA status in a tenant')
    .description('Your own two-factor authentication in a tenant.')
    .addHelpText('after', example('tenant-2fa auth status --tenant "Acme Support"'));
  addCommonOptions(auth.command('status'))
    .summary('your 2FA status in a tenant')
    .description(
      "Show your two-factor status in a tenant: state, enabled, methods, recovery codes left, confirmed at, whether an authenticator app is set up, your passkeys; and the tenant's settings that concern you: whether its recovery codes can be viewed again, and the issuer name your authenticator app shows.",
    )
    .addOption(tenantOption())
    .addHelpText('after', example('tenant-2fa auth status --tenant "Acme Support" --json'))
    .action(async (options: CommonOptions & { tenant: string }) => {
      const runtime = new Runtime(options);
      const { client } = await runtime.signedIn();
      const tenant = await findTenant(client, options.tenant);
      const data = await client.request(CliTwoFactorStatusDocument, { tenantId: tenant.id });
      if (runtime.json) return printJson(data);
      printMyFactors(data.me!.twoFactor, [['Tenant', tenant.name]], [
        ['Recovery codes', tenant.recoveryCodeVisibility === 'VIEWABLE' ? `viewable again (\`tenant-2fa recovery-codes view\`)${tenant.recoveryCodeReplenish ? ', a used one is replaced' : ''}` : 'shown once'],
        ['Issuer', tenant.issuer],
      ]);
    });
}
