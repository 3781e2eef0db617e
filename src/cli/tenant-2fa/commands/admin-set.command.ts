import { Argument, Command } from 'commander';
import { CliSetTenantTwoFactorDocument, CliSetTenantTwoFactorPolicyDocument, CliSetWorkspaceTwoFactorDocument } from '../../../client/generated/graphql';
import { behindGate } from '../challenge';
import { usageError } from '../exit-codes';
import { findTenant, findWorkspace } from '../lookups';
import { onOff, printJson, printLine } from '../output';
import { addCommonOptions, CommonOptions, Runtime } from '../runtime';
import { POLICY_NAMES } from './policy-names';
import { tenantOption } from './tenant-option';

const USAGE = [
  '  tenant-2fa admin set --tenant TENANT tenant-2fa on|off',
  '  tenant-2fa admin set --tenant TENANT workspace-2fa WORKSPACE on|off',
  '  tenant-2fa admin set --tenant TENANT policy optional|admins|everyone',
].join('\n');

/** admin set: tenant 2FA (the master switch), a workspace's requirement, and the tenant policy. */
export function registerAdminSetCommand(admin: Command): void {
  addCommonOptions(admin.command('set'))
    .summary('tenant-2fa, workspace-2fa or policy')
    .description(
      "Change a tenant setting: tenant-2fa (the master switch), workspace-2fa (whether a workspace requires 2FA; only while tenant 2FA is on), or policy (who must enrol: optional, admins, everyone).",
    )
    .addOption(tenantOption())
    .addArgument(new Argument('<setting>', 'what to change').choices(['tenant-2fa', 'workspace-2fa', 'policy']))
    .argument('<values...>', 'on|off; WORKSPACE on|off; optional|admins|everyone')
    .addHelpText('after', `\nForms:\n${USAGE}\n\nExample:\n  $ tenant-2fa admin set --tenant "Acme Support" workspace-2fa Billing on\n`)
    .action(async (setting: string, values: string[], options: CommonOptions & { tenant: string }) => {
      const change = parseSetting(setting, values);
      const runtime = new Runtime(options);
      const { client } = runtime.signedIn();
      const tenant = await findTenant(client, options.tenant);
      const gated = <T>(operation: () => Promise<T>) => behindGate(client, tenant, options.tenant, operation);

      if (change.kind === 'tenant-2fa') {
        const data = await gated(() => client.request(CliSetTenantTwoFactorDocument, { tenantId: tenant.id, enabled: change.on }));
        if (runtime.json) return printJson(data);
        return printLine(`Tenant 2FA in ${data.setTenantTwoFactor.name} is ${onOff(data.setTenantTwoFactor.twoFactorEnabled)}.`);
      }
      if (change.kind === 'workspace-2fa') {
        const workspace = findWorkspace(tenant, change.workspace);
        const data = await gated(() => client.request(CliSetWorkspaceTwoFactorDocument, { workspaceId: workspace.id, required: change.on }));
        if (runtime.json) return printJson(data);
        const result = data.setWorkspaceTwoFactor;
        return printLine(`${result.name} ${result.twoFactorRequired ? 'requires' : 'does not require'} 2FA.`);
      }
      const data = await gated(() => client.request(CliSetTenantTwoFactorPolicyDocument, { tenantId: tenant.id, policy: change.policy }));
      if (runtime.json) return printJson(data);
      printLine(`The 2FA policy of ${data.setTenantTwoFactorPolicy.name} is ${POLICY_NAMES.fromApi(data.setTenantTwoFactorPolicy.twoFactorPolicy)}.`);
    });
}

type Change =
  | { kind: 'tenant-2fa'; on: boolean }
  | { kind: 'workspace-2fa'; workspace: string; on: boolean }
  | { kind: 'policy'; policy: NonNullable<ReturnType<typeof POLICY_NAMES.toApi>> };

function parseSetting(setting: string, values: string[]): Change {
  const bad = (what: string) => usageError(`${what}.`, `The forms are:\n${USAGE}`);
  const onOffValue = (value: string | undefined) => {
    if (value !== 'on' && value !== 'off') throw bad(`Expected on or off, not "${value ?? ''}"`);
    return value === 'on';
  };
  if (setting === 'tenant-2fa') {
    if (values.length !== 1) throw bad('tenant-2fa takes one value: on or off');
    return { kind: 'tenant-2fa', on: onOffValue(values[0]) };
  }
  if (setting === 'workspace-2fa') {
    if (values.length !== 2) throw bad('workspace-2fa takes a workspace and on or off');
    return { kind: 'workspace-2fa', workspace: values[0], on: onOffValue(values[1]) };
  }
  const policy = values.length === 1 ? POLICY_NAMES.toApi(values[0]) : undefined;
  if (!policy) throw bad(`policy takes one of ${POLICY_NAMES.choices.join(', ')}`);
  return { kind: 'policy', policy };
}
