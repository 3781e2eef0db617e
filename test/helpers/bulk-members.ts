import { createHash } from 'node:crypto';
import { AgentEntity, AuthenticatorEntity, SessionEntity, TenantMembershipEntity } from '../../src/db/entities';
import type { TenantRoleName } from '../../src/db/entities/tenant.entity';
import { newId } from '../../src/db/ids';
import { sqlExecute } from '../../src/db/database';
import { insertMemberSearchGrams, memberSearchText, recountGramPostings } from '../../src/admin/agent-search';
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
      agents.push({ id: agentId, email: `seeded-${agentId}@example.test`, name: `Seeded ${index}`, passwordHash: 'seeded', createdAt: now, lastSessionId: sessionId, emailVerifiedAt: null });
      // A sign-in that entered this tenant, as `lastSignIn` counts them.
      const agent = agents[agents.length - 1];
      const isEnrolled = Boolean(options.isEnrolled?.(index));
      memberships.push({
        id: newId(),
        tenantId,
        agentId,
        role: options.role ?? 'AGENT',
        createdAt: now,
        lastSessionId: sessionId,
        lastSessionAt: sessionId ? now : null,
        twoFactorEnabled: isEnrolled,
        ...memberSearchText(agent),
      });
      if (sessionId) {
        const tokenHash = createHash('sha256').update(sessionId).digest('hex');
        sessions.push({ id: sessionId, agentId, tokenHash, createdAt: now, expiresAt: new Date(now.getTime() + 3600_000), endedAt: null });
      }
      if (isEnrolled) authenticators.push(enabledAuthenticator(tenantId, agentId, now));
      agentIds.push(agentId);
    }
    await t.gateway.db.transaction(async (tx) => {
      await tx.insert(AgentEntity, agents);
      // The grams first: on MySQL, TypeORM's multi-row insert reads the rows back and merges them into the
      // entities out of order, ids included.
      await insertMemberSearchGrams(tx, memberships);
      await recountGramPostings(tx, tenantId);
      await tx.insert(TenantMembershipEntity, memberships);
      if (sessions.length) await tx.insert(SessionEntity, sessions);
      if (authenticators.length) await tx.insert(AuthenticatorEntity, authenticators);
      // The listing's counters, as addTenantMember and the enrolments would have kept them.
      await sqlExecute(tx, 'UPDATE tenant_member_counts SET members = members + ?, two_factor_enabled = two_factor_enabled + ? WHERE tenant_id = ? AND role = ?', [
        memberships.length,
        authenticators.length,
        tenantId,
        options.role ?? 'AGENT',
      ]);
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
    consecutiveLocks: 0,
    createdAt: now,
    pendingSessionId: null,
    pendingFailedAttempts: 0,
  };
}
