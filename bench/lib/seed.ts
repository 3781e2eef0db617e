import { randomBytes } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import type { EncryptionKey } from '../../src/config';
import { hashPassword } from '../../src/crypto/passwords';
import { SecretBox } from '../../src/crypto/secret-box';
import { hashSessionToken, newSessionToken } from '../../src/crypto/tokens';
import { newTotpSecret } from '../../src/crypto/totp';
import type { Database } from '../../src/db/database';
import {
  AgentEntity,
  AuthenticatorEntity,
  ChallengeEntity,
  MemberSearchGramEntity,
  SessionEntity,
  TenantEntity,
  TenantMemberCountEntity,
  TenantMembershipEntity,
  TenantStandingEntity,
  WorkspaceEntity,
  WorkspaceMembershipEntity,
} from '../../src/db/entities';
import { newId } from '../../src/db/ids';
import { TENANT_ROLES } from '../../src/db/entities/tenant.entity';
import { memberSearchGrams, memberSearchText, recountGramPostings } from '../../src/admin/agent-search';
import { encodeCursor } from '../../src/graphql/pagination';
import { secretContext } from '../../src/two-factor/factors/totp/totp-secret';
import { CHALLENGE_LIFETIME_MS } from '../../src/two-factor/limits';

export const BENCH_PASSWORD = 'bench password, argon2id hashed';

/** An enrolled agent whose TOTP secret the bench knows, with sessions that each hold one OPEN challenge. */
export interface PoolAgent {
  index: number;
  agentId: string;
  secret: string;
  sessions: Array<{ token: string; challengeId: string }>;
}

export interface SeedPlan {
  agents: number;
  /**
   * Open challenges (one per session) of each verify agent: every ENABLED member not in the gate pool. The
   * first `validChallengesPerAgent` are answered with valid codes, the rest (≤ 4 wrong answers each) with wrong ones.
   */
  validChallengesPerAgent: number;
  wrongChallengesPerAgent: number;
  /** Sessions that already stand in the tenant (passed its challenge): the gate scenario. */
  gateSessions: number;
  /** Agents with a real argon2id password hash: the sign-in scenario. */
  signInAgents: number;
  /** Where the admin page's `after` cursor points, as a fraction of the tenant's member list. */
  cursorDepth: number;
  /** Tells a second tenant's agents apart in the same database (emails are unique across tenants). */
  label?: string;
}

export interface Fixture {
  tenantId: string;
  secureWorkspaceId: string;
  openWorkspaceId: string;
  ownerToken: string;
  signInEmails: string[];
  gateTokens: string[];
  /** Every enrolled member outside the gate and probe pools, with its first challenges... */
  validPool: PoolAgent[];
  /** ...and the same members with their other challenges. */
  wrongPool: PoolAgent[];
  /** A few enrolled agents with one challenge each, kept out of the load: for counting statements afterwards. */
  probePool: PoolAgent[];
  /** The `after` cursor deep in the member list, and the member index it stands at. */
  deepCursor: string;
  deepCursorIndex: number;
  rows: Record<string, number>;
  seedMs: number;
}

/** Rows per INSERT: below SQLite's 32766 bound variables and MariaDB's packet limit. */
const CHUNK = 1000;

/** The authenticator pattern over member indices: 7 in 10 ENABLED, 1 in 10 PENDING, 2 in 10 none. */
export const authenticatorStateOf = (index: number): 'ENABLED' | 'PENDING' | null => (index % 10 < 7 ? 'ENABLED' : index % 10 === 7 ? 'PENDING' : null);

const PROBE_AGENTS = 4;

/**
 * One tenant with `plan.agents` members, written straight into the tables through the gateway's own entities
 * and SecretBox (sign-up over HTTP would spend an argon2 hash on each). The rows are what the API itself
 * would have left behind: ENABLED authenticators hold real sealed secrets, each challenge belongs to its own
 * session (as entering the workspace from that session would have opened it), standings follow a passed
 * challenge, and every agent's latest session is recorded for `lastSignIn`. Recovery-code sets are left out:
 * none of the measured operations reads them except the listing's count, which the measured filter skips.
 */
export async function seedTenant(db: Database, keys: EncryptionKey[], plan: SeedPlan): Promise<Fixture> {
  const startedAt = performance.now();
  const box = new SecretBox(keys);
  const now = new Date();
  const challengeExpiry = new Date(now.getTime() + CHALLENGE_LIFETIME_MS);
  const sessionExpiry = new Date(now.getTime() + 12 * 3600_000);
  const realHash = await hashPassword(BENCH_PASSWORD);
  const unusableHash = `$argon2id$v=19$m=19456,t=2,p=1$${randomBytes(16).toString('base64').replace(/=+$/, '')}$${'A'.repeat(43)}`;

  const tenant: TenantEntity = {
    id: newId(),
    name: plan.label ? `Bench Support ${plan.label}` : 'Bench Support',
    issuer: 'Bench Support',
    twoFactorEnabled: true,
    twoFactorPolicy: 'OPTIONAL',
    recoveryCodeFormat: 'XXXX_XXXX',
    recoveryCodeVisibility: 'SHOWN_ONCE',
    recoveryCodeReplenish: false,
    rememberDeviceDays: 0,
    secondFactorLifetimeSeconds: null,
    createdAt: now,
  };
  const secure: WorkspaceEntity = { id: newId(), tenantId: tenant.id, name: 'Billing', twoFactorRequired: true, createdAt: now };
  const open: WorkspaceEntity = { id: newId(), tenantId: tenant.id, name: 'Lobby', twoFactorRequired: false, createdAt: now };

  const agents: AgentEntity[] = [];
  const memberships: TenantMembershipEntity[] = [];
  const workspaceMemberships: WorkspaceMembershipEntity[] = [];
  const authenticators: AuthenticatorEntity[] = [];
  const sessions: SessionEntity[] = [];
  const challenges: ChallengeEntity[] = [];
  const standings: TenantStandingEntity[] = [];

  const newSession = (agentId: string, ended = false): { id: string; token: string } => {
    const token = newSessionToken();
    const id = newId();
    // Last used when it began, as sign-in leaves a session (otherwise its first request would record a use).
    sessions.push({ id, agentId, tokenHash: hashSessionToken(token), createdAt: now, expiresAt: sessionExpiry, endedAt: ended ? now : null, lastUsedAt: now });
    return { id, token };
  };
  const stand = (sessionId: string, agentId: string) =>
    standings.push({ id: newId(), sessionId, tenantId: tenant.id, agentId, source: 'CHALLENGE', method: 'TOTP', passedAt: now, grantedAt: now, revokedAt: null });

  // Roles of the enrolled members, in index order: owner first, then the gate and probe pools, then verify.
  const enrolledQuota = { gate: plan.gateSessions, probe: PROBE_AGENTS };
  const challengesPerAgent = plan.validChallengesPerAgent + plan.wrongChallengesPerAgent;
  let ownerToken = '';
  const signInEmails: string[] = [];
  const gateTokens: string[] = [];
  const verifyPool: PoolAgent[] = [];
  const probePool: PoolAgent[] = [];

  for (let index = 0; index < plan.agents; index++) {
    const agentId = newId();
    const isOwner = index === 0;
    const state = authenticatorStateOf(index);
    const isSignIn = !isOwner && state === null && signInEmails.length < plan.signInAgents;
    const email = plan.label ? `bench-${plan.label}-${index}@bench.test` : `bench-${index}@bench.test`;
    const agent: AgentEntity = { id: agentId, email, name: `Bench Agent ${index}`, passwordHash: isOwner || isSignIn ? realHash : unusableHash, createdAt: now, lastSessionId: null, emailVerifiedAt: now };
    agents.push(agent);
    if (isSignIn) signInEmails.push(email);
    const membership: TenantMembershipEntity = { id: newId(), tenantId: tenant.id, agentId, role: isOwner ? 'OWNER' : 'AGENT', createdAt: now, twoFactorEnabled: state === 'ENABLED', ...memberSearchText(agent) };
    memberships.push(membership);
    if (!isOwner) workspaceMemberships.push({ id: newId(), tenantId: tenant.id, workspaceId: secure.id, agentId, createdAt: now });

    let secret: string | null = null;
    if (state) {
      secret = newTotpSecret();
      const sealed = box.seal(secret, secretContext(tenant.id, agentId));
      authenticators.push({
        id: newId(),
        tenantId: tenant.id,
        agentId,
        state,
        totpEnabled: state === 'ENABLED',
        secretCiphertext: sealed.envelope,
        keyId: sealed.keyId,
        pendingExpiresAt: state === 'PENDING' ? new Date(now.getTime() + 10 * 60_000) : null,
        confirmedAt: state === 'ENABLED' ? now : null,
        lastUsedStep: null,
        consecutiveFailures: 0,
        lockedUntil: null,
        consecutiveLocks: 0,
        createdAt: now,
        pendingSessionId: null,
        pendingFailedAttempts: 0,
      });
    }

    let lastSessionId: string;
    if (isOwner) {
      const session = newSession(agentId);
      stand(session.id, agentId);
      ownerToken = session.token;
      lastSessionId = session.id;
    } else if (state === 'ENABLED' && enrolledQuota.gate > 0) {
      enrolledQuota.gate--;
      const session = newSession(agentId);
      stand(session.id, agentId);
      gateTokens.push(session.token);
      lastSessionId = session.id;
    } else if (state === 'ENABLED') {
      const [pool, perAgent] = enrolledQuota.probe > 0 ? (enrolledQuota.probe--, [probePool, 1] as const) : ([verifyPool, challengesPerAgent] as const);
      const poolAgent: PoolAgent = { index, agentId, secret: secret!, sessions: [] };
      for (let i = 0; i < perAgent; i++) {
        const session = newSession(agentId);
        const challengeId = newId();
        challenges.push({
          id: challengeId,
          sessionId: session.id,
          tenantId: tenant.id,
          agentId,
          workspaceId: secure.id,
          state: 'OPEN',
          failedAttempts: 0,
          expiresAt: challengeExpiry,
          createdAt: now,
        });
        poolAgent.sessions.push({ token: session.token, challengeId });
      }
      pool.push(poolAgent);
      lastSessionId = challenges[challenges.length - 1].sessionId;
    } else {
      // Everyone else signed in once; a third of those sessions have ended since.
      lastSessionId = newSession(agentId, index % 3 === 0).id;
    }
    agent.lastSessionId = lastSessionId;
    // Every seeded sign-in entered the tenant: `lastSignIn` reads it from the membership.
    membership.lastSessionId = lastSessionId;
    membership.lastSessionAt = now;
  }
  if (enrolledQuota.gate + enrolledQuota.probe > 0) {
    throw new Error(`not enough enrolled agents for the pools: ${JSON.stringify(enrolledQuota)} left over`);
  }

  // One transaction per table (one commit, one fsync), in multi-row INSERTs written here from the entities'
  // metadata: TypeORM's InsertQueryBuilder spent about a third of a large seed building its parameter maps.
  const insert = async <T extends object>(entity: new () => T, rows: T[]) =>
    db.transaction(async (tx) => {
      for (let start = 0; start < rows.length; start += CHUNK) await insertRows(tx, entity, rows.slice(start, start + CHUNK));
    });
  // The listing's counters, as the API's membership and enrolment changes would have left them.
  const memberCounts: TenantMemberCountEntity[] = TENANT_ROLES.map((role) => {
    const ofRole = memberships.filter((m) => m.role === role);
    return { tenantId: tenant.id, role, members: ofRole.length, twoFactorEnabled: ofRole.filter((m) => m.twoFactorEnabled).length };
  });
  await insert(TenantEntity, [tenant]);
  await insert(TenantMemberCountEntity, memberCounts);
  await insert(WorkspaceEntity, [secure, open]);
  await insert(AgentEntity, agents);
  await insert(TenantMembershipEntity, memberships);
  const searchGrams = await insertSearchGrams(db, tenant.id, memberships);
  await insert(WorkspaceMembershipEntity, workspaceMemberships);
  await insert(AuthenticatorEntity, authenticators);
  await insert(SessionEntity, sessions);
  await insert(TenantStandingEntity, standings);
  await insert(ChallengeEntity, challenges);

  const deepCursorIndex = Math.floor(plan.agents * plan.cursorDepth);
  const [{ id: cursorId }] = await db.manager
    .createQueryBuilder()
    .from('tenant_memberships', 'm')
    .select('m.id', 'id')
    .where('m.tenant_id = :tenantId', { tenantId: tenant.id })
    .orderBy('m.id', 'ASC')
    .offset(deepCursorIndex)
    .limit(1)
    .getRawMany();

  return {
    tenantId: tenant.id,
    secureWorkspaceId: secure.id,
    openWorkspaceId: open.id,
    ownerToken,
    signInEmails,
    gateTokens,
    // The same agents, two disjoint sets of their challenges: valid answers never meet wrong ones.
    validPool: verifyPool.map((a) => ({ ...a, sessions: a.sessions.slice(0, plan.validChallengesPerAgent) })),
    wrongPool: verifyPool.map((a) => ({ ...a, sessions: a.sessions.slice(plan.validChallengesPerAgent) })),
    probePool,
    deepCursor: encodeCursor(cursorId),
    deepCursorIndex,
    rows: {
      agents: agents.length,
      tenant_memberships: memberships.length,
      member_search_grams: searchGrams,
      workspace_memberships: workspaceMemberships.length,
      authenticators: authenticators.length,
      sessions: sessions.length,
      tenant_standings: standings.length,
      challenges: challenges.length,
    },
    seedMs: performance.now() - startedAt,
  };
}

/**
 * The admin search's gram rows of the tenant's memberships and its gram counters, as addTenantMember writes them,
 * in one transaction. Made a chunk at a time: 100,000 members hold about 3.2 million. Answers how many.
 */
async function insertSearchGrams(db: Database, tenantId: string, memberships: TenantMembershipEntity[]): Promise<number> {
  let written = 0;
  await db.transaction(async (tx) => {
    let rows: MemberSearchGramEntity[] = [];
    for (const membership of memberships) {
      rows.push(...memberSearchGrams(membership));
      if (rows.length < CHUNK) continue;
      await insertRows(tx, MemberSearchGramEntity, rows);
      written += rows.length;
      rows = [];
    }
    await insertRows(tx, MemberSearchGramEntity, rows);
    written += rows.length;
    await recountGramPostings(tx, tenantId);
  });
  return written;
}

/**
 * One multi-row `INSERT` of entity rows, each value converted by the driver exactly as TypeORM converts it
 * when it persists an entity (dates, booleans, transformers). Columns come from the first row: the seed's rows
 * of one table all set the same properties.
 */
async function insertRows<T extends object>(tx: EntityManager, entity: new () => T, rows: T[]): Promise<void> {
  if (!rows.length) return;
  const metadata = tx.connection.getMetadata(entity);
  const driver = tx.connection.driver;
  const columns = metadata.columns.filter((column) => column.getEntityValue(rows[0]) !== undefined);
  const placeholders = `(${columns.map(() => '?').join(', ')})`;
  const parameters: unknown[] = [];
  for (const row of rows) for (const column of columns) parameters.push(driver.preparePersistentValue(column.getEntityValue(row) ?? null, column));
  const sql = `INSERT INTO ${driver.escape(metadata.tableName)} (${columns.map((c) => driver.escape(c.databaseName)).join(', ')}) VALUES ${rows.map(() => placeholders).join(', ')}`;
  await tx.query(sql, parameters);
}

/** How many client addresses the bench's requests come from (X-Forwarded-For, behind one trusted proxy). */
export const CLIENT_ADDRESSES = 256;

/**
 * The client address of a pool member: members share CLIENT_ADDRESSES addresses round robin (offices behind
 * NAT, say). Few enough that every per-IP bucket exists after the warm-up, so the measured repetitions all see
 * the limiter's steady path (one UPDATE and one SELECT per answer) rather than a mix that shifts from one
 * repetition to the next; many enough that 32 connections rarely hit the same bucket row at once.
 */
export function clientAddress(index: number): string {
  const n = index % CLIENT_ADDRESSES;
  return `10.77.${n >> 8}.${(n & 255) + 1}`;
}
