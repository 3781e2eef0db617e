import { sqlExecute, sqlRows, Tx } from '../db/database';
import type { SessionIdentity } from './session-identity';

/**
 * The session entered this tenant (enterTenant or enterWorkspace answered, or it confirmed enrolment there): the
 * membership keeps the latest such session by sign-in time, which is all `lastSignIn` shows the tenant's admins.
 * A conditional statement that writes only when a newer session comes in.
 *
 * The session's sign-in time is read first, by a plain read: a subquery inside the UPDATE would share-lock the
 * session row (MySQL/MariaDB lock what an UPDATE reads), which a challenge of that session, opened on another
 * Galera node, must then wait for while it is applied here; under a storm of enters that stalled the node.
 */
export async function recordTenantEntry(manager: Tx, session: SessionIdentity, tenantId: string): Promise<void> {
  const [signedIn] = await sqlRows<{ created_at: unknown }>(manager, 'SELECT created_at FROM sessions WHERE id = ?', [session.sessionId]);
  if (!signedIn) return;
  await sqlExecute(
    manager,
    `UPDATE tenant_memberships
        SET last_session_id = ?, last_session_at = ?
      WHERE tenant_id = ? AND agent_id = ? AND (last_session_at IS NULL OR last_session_at < ?)`,
    [session.sessionId, signedIn.created_at, tenantId, session.agentId, signedIn.created_at],
  );
}
