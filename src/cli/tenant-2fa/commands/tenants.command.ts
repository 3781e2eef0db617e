import type { Command } from 'commander';
import { CliCreateTenantDocument, CliLeaveTenantDocument, CliTenantsDocument } from '../../../client/generated/graphql';
import { behindGate } from '../challenge';
import { usageError } from '../exit-codes';
import { findTenant } from '../lookups';
import { note, onOff, printJson, printLine, printTable } from '../output';
import { askLine, isInteractive } from '../prompts';
import { addCommonOptions, CommonOptions, Runtime } from '../runtime';
import { example } from './help';
import { POLICY_NAMES } from './policy-names';

/** tenants: the tenants you belong to (with your role, tenant 2FA and the policy); tenants create / leave. */
export function registerTenantsCommand(program: Command): void {
  const tenants = addCommonOptions(program.command('tenants'))
    .summary('your tenants: list, create, leave')
    .description('List the tenants you belong to: your role, tenant 2FA on or off, the policy, and the workspaces you see. `tenants create` makes one; `tenants leave` leaves one.')
    .addHelpText('after', example('tenant-2fa tenants --json | jq -r \'.tenants[].name\''))
    .action(async (options: CommonOptions) => {
      const runtime = new Runtime(options);
      const data = await (await runtime.signedIn()).client.request(CliTenantsDocument, {});
      if (runtime.json) return printJson(data);
      if (!data.tenants.length) return note('You belong to no tenant yet: `tenant-2fa tenants create NAME` makes one, or accept an invitation.');
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

  addCommonOptions(tenants.command('create'))
    .summary('make a tenant; you become its OWNER')
    .description('Make a tenant; you become its OWNER. The issuer (the name authenticator apps show) defaults to the tenant name.')
    .argument('<name>', "the tenant's name")
    .option('--issuer <issuer>', 'the name authenticator apps show (default: the tenant name)')
    .addHelpText('after', example('tenant-2fa tenants create "Acme Support"'))
    .action(async (name: string, options: CommonOptions & { issuer?: string }) => {
      const runtime = new Runtime(options);
      const data = await (await runtime.signedIn()).client.request(CliCreateTenantDocument, { name, issuer: options.issuer ?? null });
      if (runtime.json) return printJson(data);
      printLine(`Created ${data.createTenant.name} (id ${data.createTenant.id}); you are its OWNER.`);
      note(`Next: \`tenant-2fa invite --tenant ${data.createTenant.id} --email ADDRESS\` invites a member.`);
    });

  addCommonOptions(tenants.command('leave'))
    .summary('leave a tenant (its last OWNER cannot)')
    .description(
      "Leave a tenant: your membership, your workspaces there, and your second factors there (authenticator, passkeys, recovery codes) go. The tenant's last OWNER cannot leave (LAST_OWNER): make another member OWNER first.",
    )
    .argument('<tenant>', 'tenant id or exact name')
    .option('--yes', 'do not ask for confirmation (needed without a terminal)')
    .addHelpText('after', example('tenant-2fa tenants leave Globex --yes'))
    .action(async (tenantRef: string, options: CommonOptions & { yes?: boolean }) => {
      const runtime = new Runtime(options);
      const { client } = await runtime.signedIn();
      const tenant = await findTenant(client, tenantRef);
      if (!options.yes) {
        if (!isInteractive()) throw usageError(`Leaving ${tenant.name} needs confirmation.`, 'Add --yes.');
        const answer = await askLine(`Leave ${tenant.name}? Your second factors there are deleted. Type the tenant name to confirm`, () => true);
        if (answer !== tenant.name) throw usageError('Not confirmed: nothing changed.');
      }
      const data = await behindGate(client, tenant, tenantRef, () => client.request(CliLeaveTenantDocument, { tenantId: tenant.id }));
      if (runtime.json) return printJson(data);
      printLine(`You left ${tenant.name}.`);
    });
}
