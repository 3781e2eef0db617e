import { Command, InvalidArgumentError, Option } from 'commander';
import { CliResetAgentTwoFactorDocument, CliRevokeAgentSessionsDocument, CliTenantAgentsDocument } from '../../../client/generated/graphql';
import type { CliTenantAgentFragment, CliTenantAgentsQuery, TenantAgentFilter, TenantRole } from '../../../client/generated/graphql';
import { behindGate } from '../challenge';
import { CliError, ExitCode, usageError } from '../exit-codes';
import { findMember, findTenant, MAX_PAGE_SIZE } from '../lookups';
import { shellArg } from '../next-steps';
import { Column, formatInstant, note, printFields, printJson, printJsonLine, printLine, printTable } from '../output';
import { confirmChange } from '../prompts';
import { addCommonOptions, CommonOptions, Runtime } from '../runtime';
import { example } from './help';
import { tenantOption } from './tenant-option';
import { printTwoFactorStatus } from './two-factor-status';

interface AgentsOptions extends CommonOptions {
  tenant: string;
  '2fa'?: 'on' | 'off';
  role?: TenantRole;
  search?: string;
  first: string;
  after?: string;
  all?: boolean;
}

const ROLES: TenantRole[] = ['OWNER', 'ADMIN', 'AGENT'];

/** Fixed widths, so pages streamed with --all line up under one header. */
const MEMBER_COLUMNS: Column<CliTenantAgentFragment>[] = [
  { header: 'EMAIL', value: (m) => m.agent.email, width: 36 },
  { header: 'NAME', value: (m) => m.agent.name, width: 20 },
  { header: 'ROLE', value: (m) => m.role, width: 5 },
  { header: '2FA', value: (m) => m.twoFactor.state, width: 20 },
  { header: 'CODES', value: (m) => (m.twoFactor.enabled ? String(m.twoFactor.recoveryCodesRemaining) : '-'), width: 5 },
  { header: 'LAST SIGN-IN', value: (m) => (m.lastSignIn ? `${formatInstant(m.lastSignIn.at)}${m.lastSignIn.usedTwoFactor ? ' (2FA)' : ''}` : '-') },
];

/** admin agents / agent / reset / revoke: the tenant's members and their second factor. */
export function registerAdminAgentCommands(admin: Command): void {
  addCommonOptions(admin.command('agents'))
    .summary('members with role, 2FA state, last sign-in')
    .description("List the tenant's members with their role, 2FA state, recovery codes left and last sign-in, a page at a time (--all: every page).")
    .addOption(tenantOption())
    .addOption(new Option('--2fa <on|off>', 'only members with two-factor on, or off').choices(['on', 'off']))
    .addOption(new Option('--role <role>', 'only members with this role: owner, admin or agent').argParser(parseRole))
    .option('--search <text>', 'only members whose email or name contains this text (case-insensitive)')
    .option('--first <n>', 'members per page, 1 to 100', '50')
    .option('--after <cursor>', 'start after this cursor (printed at the end of a page)')
    .option('--all', 'page through every member, printing each page as it comes (with --json: one JSON document per page, per line)')
    .addHelpText('after', example('tenant-2fa admin agents --tenant "Acme Support" --2fa off --role agent --search @demo.test --all'))
    .action(async (options: AgentsOptions) => {
      const first = pageSize(options.first);
      const filter: TenantAgentFilter = {};
      if (options['2fa']) filter.twoFactorEnabled = options['2fa'] === 'on';
      if (options.role) filter.role = options.role;
      if (options.search !== undefined) filter.search = options.search;
      const runtime = new Runtime(options);
      const { client } = await runtime.signedIn();
      const tenant = await findTenant(client, options.tenant);

      let after = options.after;
      let printedHeader = false;
      for (;;) {
        const data: CliTenantAgentsQuery = await behindGate(client, tenant, options.tenant, () =>
          client.request(CliTenantAgentsDocument, { tenantId: tenant.id, first, after, filter }),
        );
        const agents = data.tenant?.agents;
        if (!agents) throw new CliError(`No tenant ${options.tenant}.`, ExitCode.FAILURE);
        if (runtime.json) {
          if (options.all) printJsonLine(data);
          else printJson(data);
        } else {
          if (!printedHeader) note(`${agents.totalCount} member(s) match.`);
          printTable(agents.edges.map((edge) => edge.node), MEMBER_COLUMNS, { header: !printedHeader });
          printedHeader = true;
        }
        const { hasNextPage, endCursor } = agents.pageInfo;
        if (!hasNextPage || !endCursor) return;
        if (!options.all) {
          if (!runtime.json) note(`More: add --after ${endCursor} (or --all for every page).`);
          return;
        }
        after = endCursor;
      }
    });

  addCommonOptions(admin.command('agent'))
    .summary('one member, by id or email')
    .description("Show one member: role, two-factor state and last sign-in. AGENT is the member's agent id or email.")
    .addOption(tenantOption())
    .argument('<agent>', 'agent id or email')
    .addHelpText('after', example('tenant-2fa admin agent --tenant "Acme Support" agent@demo.test'))
    .action(async (agentRef: string, options: CommonOptions & { tenant: string }) => {
      const runtime = new Runtime(options);
      const { client } = await runtime.signedIn();
      const tenant = await findTenant(client, options.tenant);
      const member = await behindGate(client, tenant, options.tenant, () => findMember(client, tenant.id, agentRef));
      // The answer of `tenant(id) { id agent(id) { … } }`, also when the member was found by email.
      if (runtime.json) return printJson({ tenant: { id: tenant.id, agent: member } });
      printMember(member);
    });

  addCommonOptions(admin.command('reset'))
    .summary("reset a member's 2FA in this tenant")
    .description(
      "Reset a member's two-factor in this tenant: removes their authenticator app, passkeys and recovery codes here (other tenants untouched). They set it up again at next entry. Asks for confirmation first; --yes skips the question (needed without a terminal).",
    )
    .addOption(tenantOption())
    .argument('<agent>', 'agent id or email')
    .option('-y, --yes', 'reset without asking for confirmation')
    .addHelpText('after', example('tenant-2fa admin reset --tenant "Acme Support" agent@demo.test'))
    .action(async (agentRef: string, options: CommonOptions & { tenant: string; yes?: boolean }) => {
      const runtime = new Runtime(options);
      const { client } = await runtime.signedIn();
      const tenant = await findTenant(client, options.tenant);
      const member = await behindGate(client, tenant, options.tenant, () => findMember(client, tenant.id, agentRef));
      await confirmChange(
        `Reset two-factor of ${member.agent.email} in ${tenant.name}? Their authenticator app, passkeys and recovery codes here are removed.`,
        options,
      );
      const data = await behindGate(client, tenant, options.tenant, () => client.request(CliResetAgentTwoFactorDocument, { tenantId: tenant.id, agentId: member.agent.id }));
      if (runtime.json) return printJson(data);
      printLine(`Two-factor of ${member.agent.email} in ${tenant.name} is reset.`);
      printTwoFactorStatus(data.resetAgentTwoFactor);
    });

  addCommonOptions(admin.command('revoke'))
    .summary("make a member's sessions pass the challenge again")
    .description("Revoke a member's standing in this tenant: each of their sessions must pass this tenant's challenge again (other tenants untouched).")
    .addOption(tenantOption())
    .argument('<agent>', 'agent id or email')
    .addHelpText('after', example('tenant-2fa admin revoke --tenant "Acme Support" agent@demo.test'))
    .action(async (agentRef: string, options: CommonOptions & { tenant: string }) => {
      const runtime = new Runtime(options);
      const { client } = await runtime.signedIn();
      const tenant = await findTenant(client, options.tenant);
      const data = await behindGate(client, tenant, options.tenant, async () => {
        const member = await findMember(client, tenant.id, agentRef);
        return { member, data: await client.request(CliRevokeAgentSessionsDocument, { tenantId: tenant.id, agentId: member.agent.id }) };
      });
      if (runtime.json) return printJson(data.data);
      printLine(`${data.data.revokeAgentSessions} session(s) of ${data.member.agent.email} lost their standing in ${tenant.name}.`);
      note(`They answer the challenge again at next entry; \`tenant-2fa admin audit --tenant ${shellArg(options.tenant)}\` shows the event.`);
    });
}

function printMember(member: CliTenantAgentFragment): void {
  printFields([
    ['Email', member.agent.email],
    ['Name', member.agent.name],
    ['Agent id', member.agent.id],
    ['Role', member.role],
    ['Last sign-in', member.lastSignIn ? `${formatInstant(member.lastSignIn.at)} (${member.lastSignIn.usedTwoFactor ? 'passed 2FA' : 'without 2FA'})` : '-'],
  ]);
  printTwoFactorStatus(member.twoFactor);
}

function parseRole(value: string): TenantRole {
  const role = value.toUpperCase() as TenantRole;
  if (!ROLES.includes(role)) throw new InvalidArgumentError('Use owner, admin or agent.');
  return role;
}

export function pageSize(raw: string): number {
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > MAX_PAGE_SIZE) throw usageError(`--first must be a whole number from 1 to ${MAX_PAGE_SIZE}, not "${raw}".`);
  return n;
}
