import DataLoader from 'dataloader';
import type { SessionIdentity } from '../accounts/session-identity';
import { Database, sqlRows } from '../db/database';
import type { AuthenticatorStateName } from '../db/entities/authenticator.entity';
import type { TenantEntity, TenantRoleName } from '../db/entities/tenant.entity';
import { placeholders, rawBool, rawDate, rawInt } from '../db/raw';

/** Everything the gate needs about one session in one tenant, read in one statement. */
export interface TenantAccessFacts {
  tenant: TenantEntity;
  /** null when the agent is not a member. */
  role: TenantRoleName | null;
  authenticator: {
    id: string;
    state: AuthenticatorStateName;
    pendingExpiresAt: Date | null;
    confirmedAt: Date | null;
    lockedUntil: Date | null;
    totpEnabled: boolean;
    passkeyCount: number;
  } | null;
  hasStanding: boolean;
}

/** Per request and session: tenantId → facts (null for an unknown tenant). The gate runs on every request. */
export function createTenantAccessLoader(db: Database, session: SessionIdentity) {
  return new DataLoader<string, TenantAccessFacts | null>(async (tenantIds) => {
    const rows = await sqlRows(
      db.manager,
      `SELECT t.id, t.name, t.issuer, t.two_factor_enabled, t.two_factor_policy, t.recovery_code_format, t.recovery_code_visibility,
              t.recovery_code_replenish, t.created_at,
              m.role, a.id AS authenticator_id, a.state AS authenticator_state, a.pending_expires_at, a.confirmed_at,
              a.locked_until, a.totp_enabled,
              (SELECT COUNT(*) FROM passkeys p WHERE p.tenant_id = t.id AND p.agent_id = ?) AS passkey_count,
              CASE WHEN EXISTS (SELECT 1 FROM tenant_standings s
                                WHERE s.session_id = ? AND s.tenant_id = t.id AND s.revoked_at IS NULL) THEN 1 ELSE 0 END
                AS has_standing
         FROM tenants t
         LEFT JOIN tenant_memberships m ON m.tenant_id = t.id AND m.agent_id = ?
         LEFT JOIN authenticators a ON a.tenant_id = t.id AND a.agent_id = ?
        WHERE t.id IN (${placeholders(tenantIds)})`,
      [session.agentId, session.sessionId, session.agentId, session.agentId, ...tenantIds],
    );
    const byId = new Map(rows.map((row) => [row.id as string, toFacts(row)]));
    return tenantIds.map((id) => byId.get(id) ?? null);
  });
}

function toFacts(row: Record<string, unknown>): TenantAccessFacts {
  return {
    tenant: {
      id: row.id as string,
      name: row.name as string,
      issuer: row.issuer as string,
      twoFactorEnabled: rawBool(row.two_factor_enabled),
      twoFactorPolicy: row.two_factor_policy as TenantEntity['twoFactorPolicy'],
      recoveryCodeFormat: row.recovery_code_format as TenantEntity['recoveryCodeFormat'],
      recoveryCodeVisibility: row.recovery_code_visibility as TenantEntity['recoveryCodeVisibility'],
      recoveryCodeReplenish: rawBool(row.recovery_code_replenish),
      createdAt: rawDate(row.created_at)!,
    },
    role: (row.role as TenantRoleName | null) ?? null,
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
    hasStanding: rawBool(row.has_standing),
  };
}
