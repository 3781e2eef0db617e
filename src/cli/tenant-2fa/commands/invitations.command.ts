import { Command, Option } from 'commander';
import {
  CliAcceptInvitationDocument,
  CliInviteTenantMemberDocument,
  CliMyInvitationsDocument,
  CliRevokeInvitationDocument,
  CliTenantInvitationsDocument,
} from '../../../client/generated/graphql';
import type { CliInvitationFragment, TenantRole } from '../../../client/generated/graphql';
import { behindGate } from '../challenge';
import { CliError, ExitCode } from '../exit-codes';
import { findTenant } from '../lookups';
import { formatInstant, note, printJson, printLine, printTable } from '../output';
import { addCommonOptions, CommonOptions, Runtime } from '../runtime';
import { example } from './help';
import { invitationRef } from './invitation-ref';
import { tenantOption } from './tenant-option';

const ROLES = ['agent', 'admin', 'owner'] as const;

/** invite, and invitations list / accept / revoke. */
export function registerInvitationCommands(program: Command): void {
  addCommonOptions(program.command('invite'))
    .summary('invite an address into a tenant (OWNER or ADMIN)')
    .description(
      'Invite an e-mail address into a tenant with a role: the address gets a link valid for 7 days, whether or not it has an account yet. An ADMIN invites agents; only an OWNER invites admins and owners. Inviting the address again replaces the earlier invitation.',
    )
    .addOption(tenantOption())
    .requiredOption('--email <email>', 'the address to invite')
    .addOption(new Option('--role <role>', 'the role the invitation offers').choices(ROLES).default('agent'))
    .addHelpText('after', example('tenant-2fa invite --tenant "Acme Support" --email ann@example.com --role admin'))
    .action(async (options: CommonOptions & { tenant: string; email: string; role: (typeof ROLES)[number] }) => {
      const runtime = new Runtime(options);
      const { client } = await runtime.signedIn();
      const tenant = await findTenant(client, options.tenant);
      const role = options.role.toUpperCase() as TenantRole;
      const data = await behindGate(client, tenant, options.tenant, () => client.request(CliInviteTenantMemberDocument, { tenantId: tenant.id, email: options.email, role }));
      if (runtime.json) return printJson(data);
      const invitation = data.inviteTenantMember;
      printLine(`Invited ${invitation.email} to ${tenant.name} as ${invitation.role}; the link works until ${formatInstant(invitation.expiresAt)}.`);
      note(`Invitation id ${invitation.id}: \`tenant-2fa invitations revoke ${invitation.id} --tenant ${tenant.id}\` withdraws it.`);
    });

  const invitations = program
    .command('invitations')
    .summary('invitations: list, accept, revoke')
    .description("Invitations waiting for you (or, with --tenant, a tenant's pending ones): list them, accept one, revoke one.")
    .addHelpText('after', example('tenant-2fa invitations list'));

  addCommonOptions(invitations.command('list'))
    .summary('your pending invitations, or a tenant\'s')
    .description(
      "List the pending invitations addressed to you (shown once your address is verified), or with --tenant those a tenant has sent (OWNER or ADMIN).",
    )
    .option('--tenant <tenant>', "list this tenant's pending invitations instead (OWNER or ADMIN)")
    .addHelpText('after', example("tenant-2fa invitations list --tenant \"Acme Support\" --json | jq -r '.tenant.invitations[].email'"))
    .action(async (options: CommonOptions & { tenant?: string }) => {
      const runtime = new Runtime(options);
      const { client } = await runtime.signedIn();
      if (options.tenant) {
        const tenant = await findTenant(client, options.tenant);
        const data = await behindGate(client, tenant, options.tenant, () => client.request(CliTenantInvitationsDocument, { tenantId: tenant.id }));
        if (runtime.json) return printJson(data);
        const pending = data.tenant?.invitations ?? [];
        if (!pending.length) return note(`${tenant.name} has no pending invitations.`);
        return printInvitations(pending, 'EMAIL', (invitation) => invitation.email);
      }
      const data = await client.request(CliMyInvitationsDocument, {});
      if (!data.me) throw new CliError(`Your session at ${runtime.url} has ended.`, ExitCode.NOT_SIGNED_IN, { code: 'UNAUTHENTICATED', hint: 'Run `tenant-2fa login`.' });
      if (runtime.json) return printJson(data);
      if (!data.me.emailVerified) note('Your address is not verified yet: invitations show here once it is (follow the link of the verification e-mail), or accept one with its link.');
      if (!data.me.invitations.length) return note('No invitations are waiting for you.');
      printInvitations(data.me.invitations, 'TENANT', (invitation) => invitation.tenant.name);
      note('Accept one with `tenant-2fa invitations accept ID`.');
    });

  addCommonOptions(invitations.command('accept'))
    .summary('join a tenant you were invited to')
    .description("Accept an invitation addressed to you: by its id (from `invitations list`, once your address is verified), or by the invitation e-mail's link or token.")
    .argument('<invitation>', "an id from `invitations list`, or the e-mail's link or its token")
    .addHelpText('after', example('tenant-2fa invitations accept "https://gateway.example.com/invitation?token=…"'))
    .action(async (given: string, options: CommonOptions) => {
      const ref = invitationRef(given);
      const runtime = new Runtime(options);
      const { client } = await runtime.signedIn();
      const data = await client.request(CliAcceptInvitationDocument, ref);
      if (runtime.json) return printJson(data);
      printLine(`You joined the tenant as ${data.acceptInvitation.role}.`);
      note('`tenant-2fa tenants` lists it with its workspaces.');
    });

  addCommonOptions(invitations.command('revoke'))
    .summary("withdraw a tenant's pending invitation (OWNER or ADMIN)")
    .description("Withdraw a pending invitation of a tenant: its link stops working. An ADMIN withdraws those offering AGENT; an OWNER any.")
    .argument('<id>', 'the invitation id, from `invitations list --tenant TENANT`')
    .addOption(tenantOption())
    .addHelpText('after', example('tenant-2fa invitations revoke 0190c7e4-… --tenant "Acme Support"'))
    .action(async (id: string, options: CommonOptions & { tenant: string }) => {
      const runtime = new Runtime(options);
      const { client } = await runtime.signedIn();
      const tenant = await findTenant(client, options.tenant);
      const data = await behindGate(client, tenant, options.tenant, () => client.request(CliRevokeInvitationDocument, { tenantId: tenant.id, invitationId: id }));
      if (runtime.json) return printJson(data);
      printLine(`Invitation ${id} of ${tenant.name} is revoked.`);
    });
}

function printInvitations(rows: CliInvitationFragment[], header: string, value: (row: CliInvitationFragment) => string): void {
  printTable(rows, [
    { header: 'ID', value: (row) => row.id },
    { header, value },
    { header: 'ROLE', value: (row) => row.role },
    { header: 'INVITED BY', value: (row) => row.invitedBy?.email ?? '-' },
    { header: 'EXPIRES', value: (row) => formatInstant(row.expiresAt) },
  ]);
}
