import { IsNull } from 'typeorm';
import type { SessionIdentity } from '../accounts/session-identity';
import { sqlExecute, sqlRows, Tx } from '../db/database';
import { TenantStandingEntity } from '../db/entities';
import type { StandingMethodName } from '../db/entities/tenant-standing.entity';
import { newId } from '../db/ids';
import { rawInt } from '../db/raw';

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
 * (a session already signed out or expired had nothing left to lose).
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
  return rawInt(live?.sessions);
}
