import type { EntityManager } from 'typeorm';
import { Database, sqlExecute, sqlRows, Tx } from '../db/database';
import { TenantMemberCountEntity } from '../db/entities';
import { TENANT_ROLES, TenantRoleName } from '../db/entities/tenant.entity';
import { rawInt } from '../db/raw';

/**
 * The admin listing without counting or joining rows on every page: per (tenant, role), the members and those of
 * them whose 2FA is ENABLED (authenticators.state), and on each membership the same fact as a flag
 * (`tenant_memberships.two_factor_enabled`, which the listing's filter seeks by index), all kept by the
 * transaction that changes them. Every such change calls one of these; test/api/member-counts.test.ts drives
 * each through the API and compares counters and flags with the rows.
 *
 * Lock order on MariaDB, in every caller: the pair's authenticator row (or the new membership) first, then the
 * membership, then the counter row; so two changes in one tenant wait for each other and never deadlock.
 */

/** A new tenant's counter rows, one per role, all zero: every later change is a plain UPDATE. */
export async function createMemberCounts(tx: Tx, tenantId: string): Promise<void> {
  await tx.insert(
    TenantMemberCountEntity,
    TENANT_ROLES.map((role) => ({ tenantId, role, members: 0, twoFactorEnabled: 0 })),
  );
}

/** A membership inserted in this transaction. */
export async function countMemberAdded(tx: Tx, tenantId: string, role: TenantRoleName): Promise<void> {
  await sqlExecute(tx, 'UPDATE tenant_member_counts SET members = members + 1 WHERE tenant_id = ? AND role = ?', [tenantId, role]);
}

/**
 * A membership deleted in this transaction. The tenant's last OWNER cannot go: the statement itself refuses to
 * count the last OWNER out (false), so two owners leaving at once cannot both pass an earlier count.
 */
export async function countMemberRemoved(tx: Tx, tenantId: string, role: TenantRoleName): Promise<boolean> {
  const changed = await sqlExecute(
    tx,
    "UPDATE tenant_member_counts SET members = members - 1 WHERE tenant_id = ? AND role = ? AND (role <> 'OWNER' OR members > 1)",
    [tenantId, role],
  );
  return changed === 1;
}

/** The pair's authenticator turned ENABLED in this transaction (its first factor). */
export async function countTwoFactorEnabled(tx: Tx, tenantId: string, agentId: string): Promise<void> {
  await changeTwoFactorEnabled(tx, tenantId, agentId, 1);
}

/**
 * Before the pair's authenticator row is deleted in this transaction: reads it under its row lock (SQLite's
 * transactions take turns already) and, when it is ENABLED, counts it out. A racing removal waits for the lock
 * and then finds no row, so each enabled pair is counted out once.
 */
export async function uncountTwoFactorBeforeRemoval(db: Database, tx: Tx, tenantId: string, agentId: string): Promise<void> {
  const [row] = await sqlRows(tx, `SELECT state FROM authenticators WHERE tenant_id = ? AND agent_id = ?${db.isSqlite ? '' : ' FOR UPDATE'}`, [tenantId, agentId]);
  if (row?.state === 'ENABLED') await changeTwoFactorEnabled(tx, tenantId, agentId, -1);
}

async function changeTwoFactorEnabled(tx: Tx, tenantId: string, agentId: string, delta: 1 | -1): Promise<void> {
  await sqlExecute(tx, 'UPDATE tenant_memberships SET two_factor_enabled = ? WHERE tenant_id = ? AND agent_id = ?', [delta > 0 ? 1 : 0, tenantId, agentId]);
  await sqlExecute(
    tx,
    `UPDATE tenant_member_counts SET two_factor_enabled = two_factor_enabled + ?
      WHERE tenant_id = ? AND role = (SELECT m.role FROM tenant_memberships m WHERE m.tenant_id = ? AND m.agent_id = ?)`,
    [delta, tenantId, tenantId, agentId],
  );
}

export interface MemberCounts {
  members: number;
  twoFactorEnabled: number;
}

/** The tenant's counters, summed over its roles or for one role. */
export async function readMemberCounts(manager: EntityManager, tenantId: string, role: TenantRoleName | null): Promise<MemberCounts> {
  const [row] = await sqlRows(
    manager,
    `SELECT SUM(members) AS members, SUM(two_factor_enabled) AS two_factor_enabled FROM tenant_member_counts WHERE tenant_id = ?${role ? ' AND role = ?' : ''}`,
    role ? [tenantId, role] : [tenantId],
  );
  return { members: rawInt(row?.members), twoFactorEnabled: rawInt(row?.two_factor_enabled) };
}

/** The listing's totalCount for its `twoFactorEnabled` filter: the enabled, the others, or every member. */
export function countFor(counts: MemberCounts, twoFactorEnabled: boolean | null | undefined): number {
  if (twoFactorEnabled === true) return counts.twoFactorEnabled;
  return twoFactorEnabled === false ? counts.members - counts.twoFactorEnabled : counts.members;
}
