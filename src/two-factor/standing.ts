import { IsNull } from 'typeorm';
import type { SessionIdentity } from '../accounts/session-identity';
import { sqlExecute, Tx } from '../db/database';
import { SessionEntity, TenantStandingEntity } from '../db/entities';
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
  const live = await tx
    .createQueryBuilder(TenantStandingEntity, 'st')
    .innerJoin(SessionEntity, 's', 's.id = st.sessionId AND s.endedAt IS NULL AND s.expiresAt > :now', { now })
    .select('COUNT(DISTINCT st.sessionId)', 'sessions')
    .where('st.tenantId = :tenantId AND st.agentId = :agentId AND st.revokedAt IS NULL', { tenantId, agentId })
    .getRawOne();
  await tx.update(TenantStandingEntity, { tenantId, agentId, revokedAt: IsNull() }, { revokedAt: now });
  return rawInt(live?.sessions);
}
