import { IsNull } from 'typeorm';
import type { SessionIdentity } from '../accounts/session-identity';
import { sqlExecute, sqlRows, Tx } from '../db/database';
import { TenantStandingEntity } from '../db/entities';
import type { StandingMethodName, StandingSourceName } from '../db/entities/tenant-standing.entity';
import { newId } from '../db/ids';
import { rawDate, rawInt, rawIntOrNull } from '../db/raw';
import { forgetRememberedDevices } from '../remembered-devices/forget-devices';
import { standingHolds } from './gate';

/**
 * SQL condition: the session bound to the first `?` holds standing in the tenant whose id is the column
 * `tenantColumn`: not revoked, and granted no earlier than the second `?`, the tenant's `standingCutoff` (gate.ts).
 */
export const hasStanding = (tenantColumn: string) =>
  `EXISTS (SELECT 1 FROM tenant_standings st WHERE st.session_id = ? AND st.tenant_id = ${tenantColumn} AND st.revoked_at IS NULL AND st.granted_at >= ?)`;

/** The session a standing is granted to. */
export type StandingHolder = Pick<SessionIdentity, 'sessionId' | 'agentId'>;

/** What a session is granted: where the standing came from, and the second factor behind it and when it was answered. */
export interface StandingGrant {
  source: StandingSourceName;
  /**
   * CHALLENGE: the factor answered (ENROLMENT for a confirmed enrolment). REMEMBERED_DEVICE: the factor the
   * device was remembered with. DEVICE_APPROVAL: the approving session's. IDENTITY_PROVIDER: PROVIDER.
   */
  method: StandingMethodName;
  /**
   * When that factor was answered: now for CHALLENGE and IDENTITY_PROVIDER, the remembering pass for
   * REMEMBERED_DEVICE, the approving session's pass for DEVICE_APPROVAL. Tokens report it as `second_factor_at`.
   */
  passedAt: Date;
}

/** A challenge passed (or an enrolment confirmed) in this session, now. */
export const passedChallenge = (method: StandingMethodName, now: Date): StandingGrant => ({ source: 'CHALLENGE', method, passedAt: now });

/**
 * The one way a session gains standing in a tenant (for every workspace of it), granted at `now`: a passed
 * challenge or confirmed enrolment (answer.service.ts, the factors' enrolment), a remembered device
 * (EntryService), the tenant's identity provider, a device sign-in approved by a session that held it.
 */
export async function grantStanding(tx: Tx, holder: StandingHolder, tenantId: string, grant: StandingGrant, now: Date): Promise<void> {
  const insert = standingInsert(holder, tenantId, grant, now);
  await sqlExecute(tx, insert.sql, insert.params);
}

/** grantStanding's statement, for a caller that sends it inside a statement batch of its own (answer.service.ts). */
export function standingInsert(holder: StandingHolder, tenantId: string, grant: StandingGrant, now: Date): { sql: string; params: unknown[] } {
  return {
    sql: 'INSERT INTO tenant_standings (id, session_id, tenant_id, agent_id, source, method, passed_at, granted_at, revoked_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, NULL)',
    params: [newId(), holder.sessionId, tenantId, holder.agentId, grant.source, grant.method, grant.passedAt, now],
  };
}

/**
 * A device sign-in approved from `fromSessionId`: the new session is granted DEVICE_APPROVAL with the pass the
 * approving session holds the tenant by, as long as that is still a challenge passed there, not revoked (a reset
 * or revocation since the approval takes it away) and not lapsed (the tenant's second-factor lifetime). Answers
 * whether it was granted. Handing a pass on is no new pass: `passedAt` stays the approving session's.
 */
export async function handOverStanding(tx: Tx, fromSessionId: string, to: StandingHolder, tenantId: string, now: Date): Promise<boolean> {
  const [latest] = await sqlRows(
    tx,
    `SELECT st.source, st.method, st.passed_at, st.granted_at, t.second_factor_lifetime_seconds
       FROM tenant_standings st JOIN tenants t ON t.id = st.tenant_id
      WHERE st.session_id = ? AND st.tenant_id = ? AND st.agent_id = ? AND st.revoked_at IS NULL
      ORDER BY st.granted_at DESC, st.id DESC LIMIT 1`,
    [fromSessionId, tenantId, to.agentId],
  );
  if (latest?.source !== 'CHALLENGE' || !standingHolds(rawDate(latest.granted_at)!, rawIntOrNull(latest.second_factor_lifetime_seconds), now)) return false;
  await grantStanding(tx, to, tenantId, { source: 'DEVICE_APPROVAL', method: latest.method as StandingMethodName, passedAt: rawDate(latest.passed_at)! }, now);
  return true;
}

/**
 * Every session of the agent loses its standing in this tenant only; returns how many live sessions lost one
 * (a session already signed out or expired had nothing left to lose). The enrolments those sessions began go
 * too, so that none can add a factor, and standing with it, after losing the right to; and so do the pair's
 * remembered devices, which would grant it again at the next sign-in.
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
  await forgetRememberedDevices(tx, { tenantId, agentId });
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
