import type { SessionIdentity } from '../accounts/session-identity';
import { Database, sqlRows } from '../db/database';
import { rawBool, rawDate, rawIntOrNull } from '../db/raw';
import type { StandingMethodName, StandingSourceName } from '../db/entities/tenant-standing.entity';
import { standingHolds } from '../two-factor/gate';
import type { TokenStanding } from './second-factor-claims';

/**
 * What a token says beyond the gate's facts, read fresh in one statement: the agent's email, and the session's
 * latest standing in the tenant, unless it has lapsed (the tenant's second-factor lifetime). An enrolment standing is resolved to the factor enrolled: enrolling a passkey
 * writes the passkey and the standing with one instant, so a passkey of the pair created at `passed_at` is the
 * one (else it was TOTP, the only other factor that enrols).
 */
export async function readTokenFacts(db: Database, session: SessionIdentity, tenantId: string, now: Date): Promise<{ email: string; standing: TokenStanding | null }> {
  const [row] = await sqlRows(
    db.manager,
    `SELECT ag.email, st.source, st.method, st.passed_at, st.granted_at, t.second_factor_lifetime_seconds,
            CASE WHEN st.method = 'ENROLMENT' AND EXISTS (SELECT 1 FROM passkeys p
                                                           WHERE p.tenant_id = st.tenant_id AND p.agent_id = st.agent_id AND p.created_at = st.passed_at)
                 THEN 1 ELSE 0 END AS enrolled_passkey
       FROM agents ag
       LEFT JOIN tenants t ON t.id = ?
       LEFT JOIN tenant_standings st ON st.session_id = ? AND st.tenant_id = t.id AND st.revoked_at IS NULL
      WHERE ag.id = ?
      ORDER BY st.granted_at DESC, st.id DESC
      LIMIT 1`,
    [tenantId, session.sessionId, session.agentId],
  );
  const grantedAt = rawDate(row.granted_at);
  if (!grantedAt || !standingHolds(grantedAt, rawIntOrNull(row.second_factor_lifetime_seconds), now)) return { email: row.email as string, standing: null };
  const method = row.method as StandingMethodName;
  const factor = method === 'ENROLMENT' ? (rawBool(row.enrolled_passkey) ? 'PASSKEY' : 'TOTP') : method === 'PROVIDER' ? null : method;
  return { email: row.email as string, standing: { source: row.source as StandingSourceName, factor, passedAt: rawDate(row.passed_at)! } };
}

/** The claims introspection re-checks against the database. */
export interface LiveClaims {
  sub: string;
  sid: string;
  tid: string;
  acr: string;
  second_factor_at?: number;
}

/**
 * The session a token names is live (not signed out, not expired), its agent still a member of the tenant, and,
 * for an aal2 token, the standing it was minted on still holds: not revoked (revokeAgentSessions,
 * resetAgentTwoFactor) and not lapsed (the tenant's second-factor lifetime). That standing is one of the session
 * in the tenant whose pass falls within the second `second_factor_at` names.
 */
export async function isTokenLive(db: Database, claims: LiveClaims, now: Date): Promise<boolean> {
  const claimsStanding = claims.acr === 'aal2';
  if (claimsStanding && typeof claims.second_factor_at !== 'number') return false;
  const passedFrom = new Date((claims.second_factor_at ?? 0) * 1000);
  const rows = await sqlRows(
    db.manager,
    `SELECT st.granted_at, t.second_factor_lifetime_seconds
       FROM sessions s JOIN tenant_memberships m ON m.tenant_id = ? AND m.agent_id = s.agent_id
       JOIN tenants t ON t.id = m.tenant_id
       LEFT JOIN tenant_standings st ON st.session_id = s.id AND st.tenant_id = m.tenant_id AND st.revoked_at IS NULL
                                    AND st.passed_at >= ? AND st.passed_at < ?
      WHERE s.id = ? AND s.agent_id = ? AND s.ended_at IS NULL AND s.expires_at > ?`,
    [claims.tid, passedFrom, new Date(passedFrom.getTime() + 1000), claims.sid, claims.sub, now],
  );
  if (!claimsStanding) return rows.length > 0;
  return rows.some((row) => {
    const grantedAt = rawDate(row.granted_at);
    return grantedAt !== null && standingHolds(grantedAt, rawIntOrNull(row.second_factor_lifetime_seconds), now);
  });
}
