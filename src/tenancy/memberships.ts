import { indexMembership, memberSearchText, unindexMembership } from '../admin/agent-search';
import { sqlExecute, Tx } from '../db/database';
import { TenantMembershipEntity } from '../db/entities';
import type { TenantRoleName } from '../db/entities/tenant.entity';
import { newId } from '../db/ids';
import { assertThat } from '../errors/domain-error';
import { countMemberAdded, countMemberRemoved } from './member-counts';

/**
 * A membership's rows, made and removed in the caller's transaction together with what the admin listing keeps
 * beside it (src/tenancy/member-counts.ts, src/admin/agent-search.ts): every way in (creating a tenant, adding a
 * member, accepting an invitation) and out (leaving) goes through here.
 */
export async function addMembership(tx: Tx, tenantId: string, agent: { id: string; email: string; name: string }, role: TenantRoleName, now: Date): Promise<TenantMembershipEntity> {
  const membership: TenantMembershipEntity = { id: newId(), tenantId, agentId: agent.id, role, createdAt: now, twoFactorEnabled: false, ...memberSearchText(agent) };
  await tx.insert(TenantMembershipEntity, membership);
  await countMemberAdded(tx, tenantId, role);
  await indexMembership(tx, membership);
  return membership;
}

/**
 * Deletes the membership and its workspace memberships, counts it out, and takes it out of the search index:
 * LAST_OWNER (and the caller's transaction rolls back) when it is the tenant's last OWNER. The pair's second
 * factors are counted out before, by their removal (uncountTwoFactorBeforeRemoval), which reads the membership's role.
 */
export async function removeMembership(tx: Tx, membership: Pick<TenantMembershipEntity, 'id' | 'tenantId' | 'agentId' | 'role' | 'searchText'>): Promise<void> {
  const { id, tenantId, agentId, role } = membership;
  await sqlExecute(tx, 'DELETE FROM workspace_memberships WHERE tenant_id = ? AND agent_id = ?', [tenantId, agentId]);
  await sqlExecute(tx, 'DELETE FROM tenant_memberships WHERE id = ?', [id]);
  assertThat(await countMemberRemoved(tx, tenantId, role), 'LAST_OWNER');
  await unindexMembership(tx, membership);
}
