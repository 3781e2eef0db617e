import { Argument, Command } from 'commander';
import {
  CliSetTenantIssuerDocument,
  CliSetTenantRecoveryCodeVisibilityDocument,
  CliSetTenantTwoFactorDocument,
  CliSetTenantTwoFactorPolicyDocument,
  CliSetWorkspaceTwoFactorDocument,
} from '../../../client/generated/graphql';
import type { RecoveryCodeVisibility } from '../../../client/generated/graphql';
import { behindGate } from '../challenge';
import { usageError } from '../exit-codes';
import { findTenant, findWorkspace } from '../lookups';
import { note, onOff, printJson, printLine } from '../output';
import { addCommonOptions, CommonOptions, Runtime } from '../runtime';
import { POLICY_NAMES } from './policy-names';
import { tenantOption } from './tenant-option';

const USAGE = [
  '  tenant-2fa admin set --tenant TENANT tenant-2fa on|off',
  '  tenant-2fa admin set --tenant TENANT workspace-2fa WORKSPACE on|off',
  '  tenant-2fa admin set --tenant TENANT policy optional|admins|everyone',
  '  tenant-2fa admin set --tenant TENANT issuer NAME',
  '  tenant-2fa admin set --tenant TENANT recovery-codes shown-once|viewable [--replenish]',
].join('\n');

/**
 * admin set: tenant 2FA (the master switch), a workspace's requirement, the tenant policy, the issuer name, and
 * whether recovery codes can be viewed again. Weakening changes need a session that passed the tenant's
 * challenge: the gate prompt asks for it.
 */
export function registerAdminSetCommand(admin: Command): void {
  addCommonOptions(admin.command('set'))
    .summary('tenant-2fa, workspace-2fa, policy, issuer or recovery-codes')
    .description(
      "Change a tenant setting: tenant-2fa (the master switch), workspace-2fa (whether a workspace requires 2FA; only while tenant 2FA is on), policy (who must enrol: optional, admins, everyone), issuer (the name authenticator apps show, for enrolments begun afterwards), or recovery-codes (shown-once, or viewable again with `recovery-codes view`; --replenish replaces each used code). Turning 2FA off, relaxing the policy and making codes viewable ask for your second factor first.",
    )
    .addOption(tenantOption())
    .addArgument(new Argument('<setting>', 'what to change').choices(['tenant-2fa', 'workspace-2fa', 'policy', 'issuer', 'recovery-codes']))
    .argument('<values...>', 'on|off; WORKSPACE on|off; optional|admins|everyone; NAME; shown-once|viewable')
    .option('--replenish', 'with recovery-codes viewable: a used code is replaced by a fresh one, so the set stays full')
    .addHelpText('after', `\nForms:\n${USAGE}\n\nExample:\n  $ tenant-2fa admin set --tenant "Acme Support" workspace-2fa Billing on\n`)
    .action(async (setting: string, values: string[], options: CommonOptions & { tenant: string; replenish?: boolean }) => {
      const change = parseSetting(setting, values, Boolean(options.replenish));
      const runtime = new Runtime(options);
      const { client } = await runtime.signedIn();
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
      if (change.kind === 'issuer') {
        const data = await gated(() => client.request(CliSetTenantIssuerDocument, { tenantId: tenant.id, issuer: change.issuer }));
        if (runtime.json) return printJson(data);
        printLine(`Authenticator apps show ${data.setTenantIssuer.issuer} for ${data.setTenantIssuer.name}.`);
        return note('Only enrolments begun from now on carry the new name; existing entries in apps keep theirs.');
      }
      if (change.kind === 'recovery-codes') {
        const data = await gated(() =>
          client.request(CliSetTenantRecoveryCodeVisibilityDocument, { tenantId: tenant.id, visibility: change.visibility, replenish: change.replenish }),
        );
        if (runtime.json) return printJson(data);
        const result = data.setTenantRecoveryCodeVisibility;
        if (result.recoveryCodeVisibility === 'SHOWN_ONCE') return printLine(`Recovery codes in ${result.name} are shown once; no copy is kept to show again.`);
        return printLine(`Recovery codes in ${result.name} are viewable again with \`tenant-2fa recovery-codes view\`${result.recoveryCodeReplenish ? '; a used code is replaced by a fresh one' : ''}.`);
      }
      const data = await gated(() => client.request(CliSetTenantTwoFactorPolicyDocument, { tenantId: tenant.id, policy: change.policy }));
      if (runtime.json) return printJson(data);
      printLine(`The 2FA policy of ${data.setTenantTwoFactorPolicy.name} is ${POLICY_NAMES.fromApi(data.setTenantTwoFactorPolicy.twoFactorPolicy)}.`);
    });
}

type Change =
  | { kind: 'tenant-2fa'; on: boolean }
  | { kind: 'workspace-2fa'; workspace: string; on: boolean }
  | { kind: 'policy'; policy: NonNullable<ReturnType<typeof POLICY_NAMES.toApi>> }
  | { kind: 'issuer'; issuer: string }
  | { kind: 'recovery-codes'; visibility: RecoveryCodeVisibility; replenish: boolean };

const VISIBILITY: Record<string, RecoveryCodeVisibility> = { 'shown-once': 'SHOWN_ONCE', viewable: 'VIEWABLE' };

function parseSetting(setting: string, values: string[], replenish: boolean): Change {
  const bad = (what: string) => usageError(`${what}.`, `The forms are:\n${USAGE}`);
  const onOffValue = (value: string | undefined) => {
    if (value !== 'on' && value !== 'off') throw bad(`Expected on or off, not "${value ?? ''}"`);
    return value === 'on';
  };
  if (replenish && setting !== 'recovery-codes') throw bad('--replenish goes with recovery-codes viewable');
  if (setting === 'issuer') {
    if (values.length !== 1 || !values[0].trim()) throw bad('issuer takes one name (quote it when it has spaces)');
    return { kind: 'issuer', issuer: values[0] };
  }
  if (setting === 'recovery-codes') {
    const visibility = values.length === 1 ? VISIBILITY[values[0]] : undefined;
    if (!visibility) throw bad('recovery-codes takes shown-once or viewable');
    if (replenish && visibility !== 'VIEWABLE') throw bad('--replenish needs viewable: a replacement code nobody can view would be lost');
    return { kind: 'recovery-codes', visibility, replenish };
  }
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
