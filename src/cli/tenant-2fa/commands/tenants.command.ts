import type { Command } from 'commander';
import { CliTenantsDocument } from '../../../client/generated/graphql';
import { note, onOff, printJson, printTable } from '../output';
import { addCommonOptions, CommonOptions, Runtime } from '../runtime';
import { example } from './help';
import { POLICY_NAMES } from './policy-names';

/** tenants: the tenants you belong to, with your role, tenant 2FA and the policy. */
export function registerTenantsCommand(program: Command): void {
  addCommonOptions(program.command('tenants'))
    .summary('your tenants: role, 2FA, policy, workspaces')
    .description('List the tenants you belong to: your role, tenant 2FA on or off, the policy, and the workspaces you see.')
    .addHelpText('after', example('tenant-2fa tenants --json | jq -r \'.tenants[].name\''))
    .action(async (options: CommonOptions) => {
      const runtime = new Runtime(options);
      const data = await (await runtime.signedIn()).client.request(CliTenantsDocument, {});
      if (runtime.json) return printJson(data);
      if (!data.tenants.length) return note('You belong to no tenant yet.');
      printTable(data.tenants, [
        { header: 'TENANT', value: (t) => t.name },
        { header: 'ID', value: (t) => t.id },
        { header: 'ROLE', value: (t) => t.viewerRole },
        { header: '2FA', value: (t) => onOff(t.twoFactorEnabled) },
        { header: 'POLICY', value: (t) => POLICY_NAMES.fromApi(t.twoFactorPolicy) },
        {
          header: 'WORKSPACES',
          value: (t) => t.workspaces.map((w) => (w.twoFactorRequired ? `${w.name} (2FA)` : w.name)).join(', ') || '-',
        },
      ]);
    });
}
