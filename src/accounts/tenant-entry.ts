import { sqlExecute, Tx } from '../db/database';
import type { SessionIdentity } from './session-identity';

/**
 * The session entered this tenant (enterTenant or enterWorkspace answered, or it confirmed enrolment there): the
 * membership keeps the latest such session by sign-in time, which is all `lastSignIn` shows the tenant's admins.
 * One conditional statement; it writes only when a newer session comes in.
 */
export async function recordTenantEntry(manager: Tx, session: SessionIdentity, tenantId: string): Promise<void> {
  await sqlExecute(
    manager,
    `UPDATE tenant_memberships
        SET last_session_id = ?, last_session_at = (SELECT s.created_at FROM sessions s WHERE s.id = ?)
      WHERE tenant_id = ? AND agent_id = ?
        AND (last_session_at IS NULL OR last_session_at < (SELECT s.created_at FROM sessions s WHERE s.id = ?))`,
    [session.sessionId, session.sessionId, tenantId, session.agentId, session.sessionId],
  );
}
