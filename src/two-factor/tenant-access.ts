import DataLoader from 'dataloader';
import type { SessionIdentity } from '../accounts/session-identity';
import type { Clock } from '../clock';
import { Database, sqlRows, Tx } from '../db/database';
import type { AuthenticatorStateName } from '../db/entities/authenticator.entity';
import { WorkspaceEntity } from '../db/entities';
import type { TenantEntity, TenantRoleName } from '../db/entities/tenant.entity';
import { rawEntity } from '../db/load-by-ids';
import { placeholders, rawBool, rawDate, rawInt, rawIntOrNull } from '../db/raw';
import type { StandingMethodName, StandingSourceName } from '../db/entities/tenant-standing.entity';
import { standingHolds } from './gate';

/** Everything the gate needs about one session in one tenant, read in one statement. */
export interface TenantAccessFacts {
  tenant: TenantEntity;
  /** null when the agent is not a member. */
  role: TenantRoleName | null;
  /** The latest session that entered the tenant (`lastSignIn`), null before any. */
  lastSessionId: string | null;
  authenticator: {
    id: string;
    state: AuthenticatorStateName;
    pendingExpiresAt: Date | null;
    confirmedAt: Date | null;
    lockedUntil: Date | null;
    totpEnabled: boolean;
    passkeyCount: number;
  } | null;
  /**
   * The session's latest standing in the tenant that still holds: not revoked, and granted within the tenant's
   * second-factor lifetime when it sets one (the latest granted lapses last). Null without one.
   */
  standing: SessionStanding | null;
  /** `standing !== null`. */
  hasStanding: boolean;
}

/** How a session holds a tenant's second factor (tenant_standings, standing.ts). */
export interface SessionStanding {
  source: StandingSourceName;
  method: StandingMethodName;
  /** When the second factor behind it was answered. */
  passedAt: Date;
  /** When this session was granted it. */
  grantedAt: Date;
}

/** The session's facts in the tenant `t` (its columns by name, see toFacts); bind `factsParams` first. */
const FACTS_COLUMNS = `t.id, t.name, t.issuer, t.two_factor_enabled, t.two_factor_policy, t.recovery_code_format, t.recovery_code_visibility,
              t.recovery_code_replenish, t.remember_device_days, t.second_factor_lifetime_seconds, t.created_at,
              m.role, m.last_session_id, a.id AS authenticator_id, a.state AS authenticator_state, a.pending_expires_at, a.confirmed_at,
              a.locked_until, a.totp_enabled,
              (SELECT COUNT(*) FROM passkeys p WHERE p.tenant_id = t.id AND p.agent_id = ?) AS passkey_count,
              st.source AS standing_source, st.method AS standing_method, st.passed_at AS standing_passed_at, st.granted_at AS standing_granted_at`;
// The session's latest standing in the tenant not revoked (the latest granted decides: a newer pass replaces an older).
const FACTS_JOINS = `LEFT JOIN tenant_memberships m ON m.tenant_id = t.id AND m.agent_id = ?
         LEFT JOIN authenticators a ON a.tenant_id = t.id AND a.agent_id = ?
         LEFT JOIN tenant_standings st ON st.id = (SELECT s2.id FROM tenant_standings s2 WHERE s2.session_id = ? AND s2.tenant_id = t.id AND s2.revoked_at IS NULL
                                                   ORDER BY s2.granted_at DESC, s2.id DESC LIMIT 1)`;
const factsParams = (session: SessionIdentity) => [session.agentId, session.agentId, session.agentId, session.sessionId];

/** Per request and session: tenantId → facts (null for an unknown tenant). The gate runs on every request. */
export function createTenantAccessLoader(db: Database, session: SessionIdentity, clock: Clock) {
  return new DataLoader<string, TenantAccessFacts | null>(async (tenantIds) => {
    const rows = await sqlRows(db.manager, `SELECT ${FACTS_COLUMNS} FROM tenants t ${FACTS_JOINS} WHERE t.id IN (${placeholders(tenantIds)})`, [
      ...factsParams(session),
      ...tenantIds,
    ]);
    const now = clock.now();
    const byId = new Map(rows.map((row) => [row.id as string, toFacts(row, now)]));
    return tenantIds.map((id) => byId.get(id) ?? null);
  });
}

/**
 * The session's facts in one tenant, read in the caller's transaction (after its row lock, so that what is
 * decided on them is what holds when the transaction writes); null for an unknown tenant.
 */
export async function readTenantAccess(tx: Tx, session: SessionIdentity, tenantId: string, now: Date): Promise<TenantAccessFacts | null> {
  const [row] = await sqlRows(tx, `SELECT ${FACTS_COLUMNS} FROM tenants t ${FACTS_JOINS} WHERE t.id = ?`, [...factsParams(session), tenantId]);
  return row ? toFacts(row, now) : null;
}

export interface WorkspaceAccess {
  workspace: WorkspaceEntity;
  /** The session's agent is a member of the workspace itself. */
  isWorkspaceMember: boolean;
  /** The session's facts in the workspace's tenant. */
  facts: TenantAccessFacts;
}

/**
 * A workspace, whether the session's agent belongs to it, and the session's facts in its tenant, in one
 * statement (every workspace switch needs all three); null for an unknown workspace.
 */
export async function readWorkspaceAccess(db: Database, session: SessionIdentity, workspaceId: string, now: Date): Promise<WorkspaceAccess | null> {
  const columns = rawEntity(db, WorkspaceEntity, 'w');
  const [row] = await sqlRows(
    db.manager,
    `SELECT ${columns.columnList},
            (SELECT COUNT(*) FROM workspace_memberships wm WHERE wm.workspace_id = w.id AND wm.agent_id = ?) AS is_workspace_member,
            ${FACTS_COLUMNS}
       FROM workspaces w JOIN tenants t ON t.id = w.tenant_id ${FACTS_JOINS}
      WHERE w.id = ?`,
    [session.agentId, ...factsParams(session), workspaceId],
  );
  if (!row) return null;
  return { workspace: columns.toEntity(row), isWorkspaceMember: rawInt(row.is_workspace_member) > 0, facts: toFacts(row, now) };
}

function toFacts(row: Record<string, unknown>, now: Date): TenantAccessFacts {
  const tenant: TenantEntity = {
    id: row.id as string,
    name: row.name as string,
    issuer: row.issuer as string,
    twoFactorEnabled: rawBool(row.two_factor_enabled),
    twoFactorPolicy: row.two_factor_policy as TenantEntity['twoFactorPolicy'],
    recoveryCodeFormat: row.recovery_code_format as TenantEntity['recoveryCodeFormat'],
    recoveryCodeVisibility: row.recovery_code_visibility as TenantEntity['recoveryCodeVisibility'],
    recoveryCodeReplenish: rawBool(row.recovery_code_replenish),
    rememberDeviceDays: rawInt(row.remember_device_days),
    secondFactorLifetimeSeconds: rawIntOrNull(row.second_factor_lifetime_seconds),
    createdAt: rawDate(row.created_at)!,
  };
  return {
    tenant,
    role: (row.role as TenantRoleName | null) ?? null,
    lastSessionId: (row.last_session_id as string | null) ?? null,
    authenticator: row.authenticator_id
      ? {
          id: row.authenticator_id as string,
          state: row.authenticator_state as AuthenticatorStateName,
          pendingExpiresAt: rawDate(row.pending_expires_at),
          confirmedAt: rawDate(row.confirmed_at),
          lockedUntil: rawDate(row.locked_until),
          totpEnabled: rawBool(row.totp_enabled),
          passkeyCount: rawInt(row.passkey_count),
        }
      : null,
    ...standingFacts(row, tenant, now),
  };
}

function standingFacts(row: Record<string, unknown>, tenant: TenantEntity, now: Date): Pick<TenantAccessFacts, 'standing' | 'hasStanding'> {
  const grantedAt = rawDate(row.standing_granted_at);
  if (!grantedAt || !standingHolds(grantedAt, tenant.secondFactorLifetimeSeconds, now)) return { standing: null, hasStanding: false };
  const standing: SessionStanding = {
    source: row.standing_source as StandingSourceName,
    method: row.standing_method as StandingMethodName,
    passedAt: rawDate(row.standing_passed_at)!,
    grantedAt,
  };
  return { standing, hasStanding: true };
}
