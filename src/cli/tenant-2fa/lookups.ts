import { CliTenantAgentDocument, CliTenantAgentsDocument, CliTenantsDocument } from '../../client/generated/graphql';
import type { CliTenantAgentFragment, CliTenantsQuery } from '../../client/generated/graphql';
import { CliError, ExitCode, usageError } from './exit-codes';
import { GatewayClient, isGatewayError } from './gateway-client';
import { reportContext } from './runtime';

export type TenantSummary = CliTenantsQuery['tenants'][number];
export type WorkspaceSummary = TenantSummary['workspaces'][number];

/** The largest page the gateway serves (docs/behaviour.md: `first` is 1 to 100). */
export const MAX_PAGE_SIZE = 100;

/** A tenant of the caller's, by id or by its exact name. */
export async function findTenant(client: GatewayClient, ref: string): Promise<TenantSummary> {
  reportContext.tenantRef = ref;
  const { tenants } = await client.request(CliTenantsDocument, {});
  const byId = tenants.find((tenant) => tenant.id === ref);
  if (byId) return byId;
  const byName = tenants.filter((tenant) => tenant.name === ref);
  if (byName.length === 1) return byName[0];
  if (byName.length > 1) {
    throw usageError(`${byName.length} of your tenants are named "${ref}".`, `Give the id instead: ${byName.map((t) => t.id).join(', ')}.`);
  }
  throw new CliError(`You are not a member of a tenant "${ref}".`, ExitCode.FAILURE, {
    hint: 'Run `tenant-2fa tenants` to list yours (give the id or the exact name).',
  });
}

/** A workspace of that tenant you can see, by id or by its exact name. */
export function findWorkspace(tenant: TenantSummary, ref: string): WorkspaceSummary {
  const byId = tenant.workspaces.find((workspace) => workspace.id === ref);
  if (byId) return byId;
  const byName = tenant.workspaces.filter((workspace) => workspace.name === ref);
  if (byName.length === 1) return byName[0];
  if (byName.length > 1) throw usageError(`${byName.length} workspaces are named "${ref}".`, `Give the id instead: ${byName.map((w) => w.id).join(', ')}.`);
  throw new CliError(`No workspace "${ref}" in ${tenant.name} that you can see.`, ExitCode.FAILURE, {
    hint: `Its workspaces: ${tenant.workspaces.map((w) => w.name).join(', ') || 'none'}.`,
  });
}

/**
 * A member of the tenant by agent id or email (case-insensitive): an id is one `tenant.agent(id)` request; an
 * email is looked up with the listing's `search` filter (a substring match), then matched exactly.
 */
export async function findMember(client: GatewayClient, tenantId: string, ref: string): Promise<CliTenantAgentFragment> {
  const member = ref.includes('@') ? await findMemberByEmail(client, tenantId, ref) : await findMemberById(client, tenantId, ref);
  if (member) return member;
  throw new CliError(`No member "${ref}" in this tenant.`, ExitCode.FAILURE, {
    hint: 'Give an agent id or email: `tenant-2fa admin agents --tenant TENANT` lists them.',
  });
}

async function findMemberById(client: GatewayClient, tenantId: string, agentId: string): Promise<CliTenantAgentFragment | null> {
  try {
    const { tenant } = await client.request(CliTenantAgentDocument, { tenantId, agentId });
    return tenant?.agent ?? null;
  } catch (error) {
    // A malformed id names nobody: report it as an unknown member, like a well-formed one that is not.
    if (isGatewayError(error, 'BAD_USER_INPUT')) return null;
    throw error;
  }
}

async function findMemberByEmail(client: GatewayClient, tenantId: string, email: string): Promise<CliTenantAgentFragment | null> {
  const wanted = email.toLowerCase();
  let after: string | null | undefined;
  do {
    const { tenant } = await client.request(CliTenantAgentsDocument, { tenantId, first: MAX_PAGE_SIZE, after, filter: { search: email } });
    if (!tenant) return null;
    const match = tenant.agents.edges.find(({ node }) => node.agent.email.toLowerCase() === wanted);
    if (match) return match.node;
    after = tenant.agents.pageInfo.hasNextPage ? tenant.agents.pageInfo.endCursor : undefined;
  } while (after);
  return null;
}
