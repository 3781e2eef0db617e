import { createHash } from 'node:crypto';
import { AgentEntity, AuthenticatorEntity, SessionEntity, TenantMembershipEntity } from '../../src/db/entities';
import type { TenantRoleName } from '../../src/db/entities/tenant.entity';
import { newId } from '../../src/db/ids';
import type { TestGateway } from './gateway';

export interface BulkMemberOptions {
  role?: TenantRoleName;
  /** Which seeded agents (by index) get an ENABLED authenticator in the tenant. */
  isEnrolled?: (index: number) => boolean;
  /** Give every agent one sign-in (a live session), so `lastSignIn` has something to show. */
  hasSignedIn?: boolean;
}

/** Rows per INSERT: far below SQLite's 32766 bound variables and MariaDB's packet limit. */
const CHUNK_SIZE = 500;

/**
 * Members written straight into the tables, for listings too large to sign up over HTTP (argon2 is slow on
 * purpose). Returns the agent ids in joining order, the listing's order. The rows are for reading only: their
 * password hash and TOTP secret are placeholders that never verify.
 */
export async function seedMembers(t: TestGateway, tenantId: string, count: number, options: BulkMemberOptions = {}): Promise<string[]> {
  const now = t.clock.now();
  const agentIds: string[] = [];
  for (let start = 0; start < count; start += CHUNK_SIZE) {
    const agents: AgentEntity[] = [];
    const memberships: TenantMembershipEntity[] = [];
    const sessions: SessionEntity[] = [];
    const authenticators: AuthenticatorEntity[] = [];
    for (let index = start; index < Math.min(count, start + CHUNK_SIZE); index++) {
      const agentId = newId();
      const sessionId = options.hasSignedIn ? newId() : null;
      agents.push({ id: agentId, email: `seeded-${agentId}@example.test`, name: `Seeded ${index}`, passwordHash: 'seeded', createdAt: now, lastSessionId: sessionId });
      // A sign-in that entered this tenant, as `lastSignIn` counts them.
      memberships.push({ id: newId(), tenantId, agentId, role: options.role ?? 'AGENT', createdAt: now, lastSessionId: sessionId, lastSessionAt: sessionId ? now : null });
      if (sessionId) {
        const tokenHash = createHash('sha256').update(sessionId).digest('hex');
        sessions.push({ id: sessionId, agentId, tokenHash, createdAt: now, expiresAt: new Date(now.getTime() + 3600_000), endedAt: null });
      }
      if (options.isEnrolled?.(index)) authenticators.push(enabledAuthenticator(tenantId, agentId, now));
      agentIds.push(agentId);
    }
    await t.gateway.db.transaction(async (tx) => {
      await tx.insert(AgentEntity, agents);
      await tx.insert(TenantMembershipEntity, memberships);
      if (sessions.length) await tx.insert(SessionEntity, sessions);
      if (authenticators.length) await tx.insert(AuthenticatorEntity, authenticators);
    });
  }
  return agentIds;
}

function enabledAuthenticator(tenantId: string, agentId: string, now: Date): AuthenticatorEntity {
  return {
    totpEnabled: true,
    id: newId(),
    tenantId,
    agentId,
    state: 'ENABLED',
    secretCiphertext: 'seeded',
    keyId: 'seeded',
    pendingExpiresAt: null,
    confirmedAt: now,
    lastUsedStep: null,
    consecutiveFailures: 0,
    lockedUntil: null,
    createdAt: now,
    pendingSessionId: null,
    pendingFailedAttempts: 0,
  };
}
