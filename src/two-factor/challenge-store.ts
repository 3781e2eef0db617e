import { In, LessThan, MoreThan } from 'typeorm';
import type { SessionIdentity } from '../accounts/session-identity';
import { recordAudit } from '../audit/audit-log';
import type { Loaders } from '../loaders';
import type { SqlStatement } from '../db/one-round-trip';
import { Database, sqlExecute, sqlRows, Tx } from '../db/database';
import { ChallengeEntity, TenantEntity, WorkspaceEntity } from '../db/entities';
import type { AuthenticatorStateName } from '../db/entities/authenticator.entity';
import type { AnsweredChallenge } from './factors/second-factor';
import type { ChallengeStateName } from '../db/entities/challenge.entity';
import { newId } from '../db/ids';
import { rawEntity } from '../db/load-by-ids';
import { rawBool, rawDate, rawInt } from '../db/raw';
import { DomainError, assertThat } from '../errors/domain-error';
import { CHALLENGE_LIFETIME_MS, CHALLENGE_MAX_FAILED_ATTEMPTS } from './limits';

/**
 * The challenge rows and their state machine:
 *
 *   OPEN --right answer--> PASSED
 *   OPEN --5th wrong answer--> INVALIDATED
 *   OPEN --entered again from elsewhere--> INVALIDATED (replaced)
 *   OPEN --cancelChallenge--> CANCELLED
 *   OPEN --5 minutes pass--> (expired: answers are refused as CHALLENGE_INVALIDATED)
 *
 * Each transition is a conditional UPDATE on `state = 'OPEN'` (and the attempt count), so racing answers, from
 * one process or many, cannot both win or overspend attempts.
 */
export class ChallengeStore {
  private readonly tenantRows: ReturnType<typeof rawEntity<TenantEntity>>;
  private readonly workspaceRows: ReturnType<typeof rawEntity<WorkspaceEntity>>;

  constructor(private readonly db: Database) {
    this.tenantRows = rawEntity(db, TenantEntity, 't');
    this.workspaceRows = rawEntity(db, WorkspaceEntity, 'w');
  }

  /** Hands back the session's open challenge for the same place, or replaces it with a fresh one. */
  open(session: SessionIdentity, tenantId: string, workspaceId: string | null, now: Date): Promise<ChallengeEntity> {
    return this.db.transaction(async (tx) => {
      // Enters of one session take turns, and rows change by primary key only: a range UPDATE on (session,
      // tenant, state) that matches nothing gap-locks the index, and concurrent enters of different sessions
      // then deadlock inserting into that gap (MySQL/MariaDB).
      await this.db.lockRow(tx, 'sessions', session.sessionId);
      const open = await tx.findOne(ChallengeEntity, {
        where: { sessionId: session.sessionId, tenantId, state: 'OPEN', expiresAt: MoreThan(now), failedAttempts: LessThan(CHALLENGE_MAX_FAILED_ATTEMPTS) },
        order: { id: 'DESC' },
      });
      if (open && open.workspaceId === workspaceId) return open;

      const stale = await tx.find(ChallengeEntity, { select: { id: true }, where: { sessionId: session.sessionId, tenantId, state: 'OPEN' } });
      const replaced = stale.length ? await tx.update(ChallengeEntity, { id: In(stale.map((c) => c.id)), state: 'OPEN' }, { state: 'INVALIDATED' }) : { affected: 0 };
      if (replaced.affected) {
        await recordAudit(tx, now, session, { tenantId, action: 'CHALLENGE_INVALIDATED', actorAgentId: session.agentId, subjectAgentId: session.agentId, workspaceId: open?.workspaceId ?? null });
      }
      const challenge: ChallengeEntity = {
        id: newId(),
        sessionId: session.sessionId,
        tenantId,
        agentId: session.agentId,
        workspaceId,
        state: 'OPEN',
        failedAttempts: 0,
        expiresAt: new Date(now.getTime() + CHALLENGE_LIFETIME_MS),
        createdAt: now,
      };
      await tx.insert(ChallengeEntity, challenge);
      return challenge;
    });
  }

  /** The challenge with its pair's authenticator, tenant and workspace (which prime the loaders), or null. */
  async loadForAnswer(tx: Tx, loaders: Loaders, challengeId: string): Promise<AnsweredChallenge | null> {
    const [row] = await sqlRows(
      tx,
      `SELECT c.id, c.session_id, c.tenant_id, c.agent_id, c.workspace_id, c.state, c.failed_attempts, c.expires_at,
              a.id AS authenticator_id, a.state AS authenticator_state, a.secret_ciphertext, a.totp_enabled, a.last_used_step, a.locked_until,
              a.consecutive_failures, a.consecutive_locks,
              ${this.tenantRows.columnList}, ${this.workspaceRows.columnList}
         FROM challenges c
         JOIN tenants t ON t.id = c.tenant_id
         LEFT JOIN workspaces w ON w.id = c.workspace_id
         LEFT JOIN authenticators a ON a.tenant_id = c.tenant_id AND a.agent_id = c.agent_id
        WHERE c.id = ?`,
      [challengeId],
    );
    if (!row) return null;
    // The answer names the tenant and workspace: read with the challenge, not again afterwards.
    loaders.tenant.prime(row.tenant_id as string, this.tenantRows.toEntity(row));
    if (row.workspace_id) loaders.workspace.prime(row.workspace_id as string, this.workspaceRows.toEntity(row));
    return {
      id: row.id as string,
      sessionId: row.session_id as string,
      tenantId: row.tenant_id as string,
      agentId: row.agent_id as string,
      workspaceId: (row.workspace_id as string | null) ?? null,
      state: row.state as ChallengeStateName,
      failedAttempts: rawInt(row.failed_attempts),
      expiresAt: rawDate(row.expires_at)!,
      authenticatorId: (row.authenticator_id as string | null) ?? null,
      authenticatorState: (row.authenticator_state as AuthenticatorStateName | null) ?? null,
      secretCiphertext: (row.secret_ciphertext as string | null) ?? '',
      totpEnabled: rawBool(row.totp_enabled),
      lastUsedStep: row.last_used_step === null || row.last_used_step === undefined ? null : rawInt(row.last_used_step),
      lockedUntil: rawDate(row.locked_until),
      consecutiveFailures: rawInt(row.consecutive_failures),
      consecutiveLocks: rawInt(row.consecutive_locks),
    };
  }

  /** OPEN → PASSED; CHALLENGE_INVALIDATED when a racing answer spent it first (the caller's claim rolls back too). */
  async markPassed(tx: Tx, challengeId: string, now: Date): Promise<void> {
    const update = this.passedUpdate(challengeId, now);
    const passed = await sqlExecute(tx, update.sql, update.params);
    assertThat(passed === 1, 'CHALLENGE_INVALIDATED');
  }

  /** markPassed's conditional UPDATE (one row when it passed the challenge), for a statement batch (answer.service.ts). */
  passedUpdate(challengeId: string, now: Date): SqlStatement {
    return {
      sql: "UPDATE challenges SET state = 'PASSED' WHERE id = ? AND state = 'OPEN' AND failed_attempts < ? AND expires_at > ?",
      params: [challengeId, CHALLENGE_MAX_FAILED_ATTEMPTS, now],
    };
  }

  /**
   * One more failed attempt (the 5th moves OPEN → INVALIDATED); CHALLENGE_INVALIDATED when racing answers spent
   * every attempt first. Answers the attempts left and whether this one invalidated the challenge.
   *
   * The challenge as read for the answer usually still holds: then one statement spends the attempt from the
   * count read (and invalidates at the last one). When a racing answer changed it meanwhile, the general path
   * spends whatever is left and reads the count again.
   */
  async spendAttempt(tx: Tx, challenge: Pick<AnsweredChallenge, 'id' | 'failedAttempts'>, now: Date): Promise<{ attemptsRemaining: number; invalidated: boolean }> {
    const asRead = this.attemptAsRead(challenge, now);
    if ((await sqlExecute(tx, asRead.update.sql, asRead.update.params)) === 1) return { attemptsRemaining: asRead.attemptsRemaining, invalidated: asRead.invalidated };

    const spent = await sqlExecute(
      tx,
      "UPDATE challenges SET failed_attempts = failed_attempts + 1 WHERE id = ? AND state = 'OPEN' AND failed_attempts < ? AND expires_at > ?",
      [challenge.id, CHALLENGE_MAX_FAILED_ATTEMPTS, now],
    );
    assertThat(spent === 1, 'CHALLENGE_INVALIDATED');
    const invalidated = await sqlExecute(tx, "UPDATE challenges SET state = 'INVALIDATED' WHERE id = ? AND failed_attempts >= ?", [
      challenge.id,
      CHALLENGE_MAX_FAILED_ATTEMPTS,
    ]);
    const [{ failed_attempts }] = await sqlRows(tx, 'SELECT failed_attempts FROM challenges WHERE id = ?', [challenge.id]);
    return { attemptsRemaining: Math.max(0, CHALLENGE_MAX_FAILED_ATTEMPTS - rawInt(failed_attempts)), invalidated: invalidated === 1 };
  }

  /**
   * spendAttempt's one statement while the challenge still holds the count read (one row when it spent the
   * attempt), and what it then means; also sent inside a statement batch (answer.service.ts).
   */
  attemptAsRead(challenge: Pick<AnsweredChallenge, 'id' | 'failedAttempts'>, now: Date): { update: SqlStatement; attemptsRemaining: number; invalidated: boolean } {
    const failed = challenge.failedAttempts + 1;
    const invalidated = failed >= CHALLENGE_MAX_FAILED_ATTEMPTS;
    return {
      update: {
        sql: "UPDATE challenges SET failed_attempts = ?, state = ? WHERE id = ? AND state = 'OPEN' AND failed_attempts = ? AND expires_at > ?",
        params: [failed, invalidated ? 'INVALIDATED' : 'OPEN', challenge.id, challenge.failedAttempts, now],
      },
      attemptsRemaining: CHALLENGE_MAX_FAILED_ATTEMPTS - failed,
      invalidated,
    };
  }

  /** OPEN → CANCELLED by the session that owns it. */
  async cancel(session: SessionIdentity, challengeId: string): Promise<boolean> {
    const result = await this.db.autocommit((manager) =>
      manager.update(ChallengeEntity, { id: challengeId, sessionId: session.sessionId, state: 'OPEN' }, { state: 'CANCELLED' }),
    );
    if (result.affected === 1) return true;
    const exists = await this.db.manager.existsBy(ChallengeEntity, { id: challengeId, sessionId: session.sessionId });
    assertThat(exists, 'NOT_FOUND');
    throw new DomainError('CHALLENGE_INVALIDATED');
  }
}
