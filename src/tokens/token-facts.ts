import type { SessionIdentity } from '../accounts/session-identity';
import { Database, sqlRows } from '../db/database';
import { rawBool, rawDate } from '../db/raw';
import type { TwoFactorMethodName } from '../two-factor/authenticator-state';
import type { TokenStanding } from './second-factor-claims';

/**
 * What a token says beyond the gate's facts, read fresh in one statement: the agent's email, and the session's
 * latest standing in the tenant. An enrolment standing is resolved to the factor enrolled: enrolling a passkey
 * writes the passkey and the standing with one instant, so a passkey of the pair created at `passed_at` is the
 * one (else it was TOTP, the only other factor that enrols).
 */
export async function readTokenFacts(db: Database, session: SessionIdentity, tenantId: string): Promise<{ email: string; standing: TokenStanding | null }> {
  const [row] = await sqlRows(
    db.manager,
    `SELECT ag.email, st.method, st.passed_at,
            CASE WHEN st.method = 'ENROLMENT' AND EXISTS (SELECT 1 FROM passkeys p
                                                           WHERE p.tenant_id = st.tenant_id AND p.agent_id = st.agent_id AND p.created_at = st.passed_at)
                 THEN 1 ELSE 0 END AS enrolled_passkey
       FROM agents ag
       LEFT JOIN tenant_standings st ON st.session_id = ? AND st.tenant_id = ? AND st.revoked_at IS NULL
      WHERE ag.id = ?
      ORDER BY st.passed_at DESC
      LIMIT 1`,
    [session.sessionId, tenantId, session.agentId],
  );
  const method = row.method as TwoFactorMethodName | 'ENROLMENT' | null;
  const factor = method === 'ENROLMENT' ? (rawBool(row.enrolled_passkey) ? 'PASSKEY' : 'TOTP') : method;
  return { email: row.email as string, standing: factor ? { factor, passedAt: rawDate(row.passed_at)! } : null };
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
 * for an aal2 token, the standing it was minted on not revoked (revokeAgentSessions, resetAgentTwoFactor): a
 * live standing of that session and tenant passed within the second `second_factor_at` names.
 */
export async function isTokenLive(db: Database, claims: LiveClaims, now: Date): Promise<boolean> {
  const claimsStanding = claims.acr === 'aal2';
  if (claimsStanding && typeof claims.second_factor_at !== 'number') return false;
  const passedFrom = new Date((claims.second_factor_at ?? 0) * 1000);
  const rows = await sqlRows(
    db.manager,
    `SELECT 1 AS live
       FROM sessions s JOIN tenant_memberships m ON m.tenant_id = ? AND m.agent_id = s.agent_id
      WHERE s.id = ? AND s.agent_id = ? AND s.ended_at IS NULL AND s.expires_at > ?${
        claimsStanding
          ? `
        AND EXISTS (SELECT 1 FROM tenant_standings st
                     WHERE st.session_id = s.id AND st.tenant_id = m.tenant_id AND st.revoked_at IS NULL
                       AND st.passed_at >= ? AND st.passed_at < ?)`
          : ''
      }`,
    [claims.tid, claims.sid, claims.sub, now, ...(claimsStanding ? [passedFrom, new Date(passedFrom.getTime() + 1000)] : [])],
  );
  return rows.length > 0;
}
