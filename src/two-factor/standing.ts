import { IsNull } from 'typeorm';
import type { SessionIdentity } from '../accounts/session-identity';
import { sqlExecute, sqlRows, Tx } from '../db/database';
import { TenantStandingEntity } from '../db/entities';
import type { StandingMethodName } from '../db/entities/tenant-standing.entity';
import { newId } from '../db/ids';
import { rawInt } from '../db/raw';

/**
 * SQL condition: the session bound to the `?` holds standing in the tenant whose id is the column `tenantColumn`
 * (passed the tenant's second factor, or confirmed enrolment there, and not revoked since).
 */
export const hasStanding = (tenantColumn: string) =>
  `EXISTS (SELECT 1 FROM tenant_standings st WHERE st.session_id = ? AND st.tenant_id = ${tenantColumn} AND st.revoked_at IS NULL)`;

/** The session has passed the tenant's second factor: it keeps that standing for every workspace of the tenant. */
export async function grantStanding(tx: Tx, session: SessionIdentity, tenantId: string, method: StandingMethodName, now: Date): Promise<void> {
  await sqlExecute(
    tx,
    'INSERT INTO tenant_standings (id, session_id, tenant_id, agent_id, method, passed_at, revoked_at) VALUES (?, ?, ?, ?, ?, ?, NULL)',
    [newId(), session.sessionId, tenantId, session.agentId, method, now],
  );
}

/**
 * Every session of the agent loses its standing in this tenant only; returns how many live sessions lost one
 * (a session already signed out or expired had nothing left to lose). The enrolments those sessions began go
 * too, so that none can add a factor, and standing with it, after losing the right to.
 */
export async function revokeStandings(tx: Tx, tenantId: string, agentId: string, now: Date): Promise<number> {
  const [live] = await sqlRows(
    tx,
    `SELECT COUNT(DISTINCT st.session_id) AS sessions
       FROM tenant_standings st JOIN sessions s ON s.id = st.session_id AND s.ended_at IS NULL AND s.expires_at > ?
      WHERE st.tenant_id = ? AND st.agent_id = ? AND st.revoked_at IS NULL`,
    [now, tenantId, agentId],
  );
  await tx.update(TenantStandingEntity, { tenantId, agentId, revokedAt: IsNull() }, { revokedAt: now });
  await discardPendingEnrolments(tx, tenantId, agentId, null);
  return rawInt(live?.sessions);
}

/**
 * Once a pair is protected, adding a factor needs this session's standing. So when the pair becomes ENABLED (its
 * first factor, from the session `keepSessionId`) or its sessions lose their standing (`keepSessionId` null),
 * the enrolments other sessions began and have not finished are discarded: a pending TOTP secret (the pair's
 * row holds one) and passkey registration ceremonies. The statements that finish an enrolment require what is
 * discarded here (the same secret; an unspent ceremony), so one that read the pair before this cannot finish after it.
 */
export async function discardPendingEnrolments(tx: Tx, tenantId: string, agentId: string, keepSessionId: string | null): Promise<void> {
  const others = (column: string) => (keepSessionId ? ` AND (${column} IS NULL OR ${column} <> ?)` : '');
  const keep = keepSessionId ? [keepSessionId] : [];
  await sqlExecute(
    tx,
    `UPDATE authenticators SET secret_ciphertext = '', key_id = '', pending_expires_at = NULL, pending_session_id = NULL, pending_failed_attempts = 0
      WHERE tenant_id = ? AND agent_id = ? AND totp_enabled = 0 AND secret_ciphertext <> ''${others('pending_session_id')}`,
    [tenantId, agentId, ...keep],
  );
  await sqlExecute(tx, `DELETE FROM webauthn_challenges WHERE tenant_id = ? AND agent_id = ? AND purpose = 'REGISTRATION'${others('session_id')}`, [
    tenantId,
    agentId,
    ...keep,
  ]);
}
