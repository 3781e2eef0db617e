import { IsNull } from 'typeorm';
import type { SessionIdentity } from '../accounts/account.service';
import type { Tx } from '../db/database';
import { TenantStandingEntity } from '../db/entities';
import type { StandingMethodName } from '../db/entities/tenant-standing.entity';
import { newId } from '../db/ids';

/** The session has passed the tenant's second factor: it keeps that standing for every workspace of the tenant. */
export async function grantStanding(tx: Tx, session: SessionIdentity, tenantId: string, method: StandingMethodName, now: Date): Promise<void> {
  await tx.insert(TenantStandingEntity, {
    id: newId(),
    sessionId: session.sessionId,
    tenantId,
    agentId: session.agentId,
    method,
    passedAt: now,
    revokedAt: null,
  });
}

/** Every session of the agent loses its standing in this tenant only; returns how many sessions lost one. */
export async function revokeStandings(tx: Tx, tenantId: string, agentId: string, now: Date): Promise<number> {
  const standing = await tx.find(TenantStandingEntity, { select: { sessionId: true }, where: { tenantId, agentId, revokedAt: IsNull() } });
  if (!standing.length) return 0;
  await tx.update(TenantStandingEntity, { tenantId, agentId, revokedAt: IsNull() }, { revokedAt: now });
  return new Set(standing.map((s) => s.sessionId)).size;
}
