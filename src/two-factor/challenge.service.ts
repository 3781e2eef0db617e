import { In } from 'typeorm';
import { recordTenantEntry } from '../accounts/tenant-entry';
import type { SessionIdentity } from '../accounts/account.service';
import { recordAudit } from '../audit/audit-log';
import type { Clock } from '../clock';
import type { Loaders } from '../context';
import { normalizeRecoveryCode } from '../crypto/recovery-codes';
import { matchTotp, normalizeTotpCode } from '../crypto/totp';
import { Database, sqlExecute, sqlRows, Tx } from '../db/database';
import { ChallengeEntity, TenantEntity, WorkspaceEntity } from '../db/entities';
import { rawEntity } from '../db/load-by-ids';
import type { AuthenticatorStateName } from '../db/entities/authenticator.entity';
import { newId } from '../db/ids';
import { rawBool, rawDate, rawInt } from '../db/raw';
import { DomainError, assertThat } from '../errors/domain-error';
import type { TenancyService } from '../tenancy/tenancy.service';
import type { TwoFactorMethodName } from './authenticator-state';
import type { EnrolmentService } from './enrolment.service';
import type { AccessDecision } from './gate';
import type { GateService, MemberFacts } from './gate.service';
import {
  CHALLENGE_LIFETIME_MS,
  CHALLENGE_MAX_FAILED_ATTEMPTS,
  LOCKOUT_DURATION_MS,
  LOCKOUT_FAILURE_THRESHOLD,
} from './limits';
import type { RecoveryCodeStore } from './recovery-code-store';
import { grantStanding } from './standing';
import type { TwoFactorEventSink } from './two-factor-events';
import type { PasskeyService } from './factors/passkey/passkey.service';

export interface ChallengeView {
  id: string;
  tenantId: string;
  methods: TwoFactorMethodName[];
  attemptsRemaining: number;
  expiresAt: Date;
}

export interface AccessView {
  status: AccessDecision;
  tenant: TenantEntity;
  workspace: WorkspaceEntity | null;
  challenge: ChallengeView | null;
}

type AnswerMethod = 'TOTP' | 'RECOVERY_CODE' | 'PASSKEY';

/** What an answer carries: a code, or (for PASSKEY) the assertion's PublicKeyCredential JSON. */
type Answer = { method: 'TOTP'; code: string } | { method: 'RECOVERY_CODE'; code: string } | { method: 'PASSKEY'; credential: Record<string, unknown> };

/** The pair's lock, decided inside the statement that accepts or counts an answer (`?` = now). */
const NOT_LOCKED = '(locked_until IS NULL OR locked_until <= ?)';

/** A challenge joined with its pair's authenticator: everything an answer is judged on, in one statement. */
interface ChallengeRow {
  id: string;
  sessionId: string;
  tenantId: string;
  agentId: string;
  workspaceId: string | null;
  state: string;
  failedAttempts: number;
  expiresAt: Date;
  authenticatorId: string | null;
  authenticatorState: AuthenticatorStateName | null;
  secretCiphertext: string;
  totpEnabled: boolean;
  lastUsedStep: number | null;
  lockedUntil: Date | null;
}

/**
 * The challenge's state machine:
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
export class ChallengeService {
  constructor(
    private readonly db: Database,
    private readonly clock: Clock,
    private readonly gate: GateService,
    private readonly tenancy: TenancyService,
    private readonly enrolment: EnrolmentService,
    private readonly recoveryCodes: RecoveryCodeStore,
    private readonly onEvent: TwoFactorEventSink,
    private readonly passkeys: PasskeyService,
  ) {
    this.tenantRows = rawEntity(db, TenantEntity, 't');
    this.workspaceRows = rawEntity(db, WorkspaceEntity, 'w');
  }

  private readonly tenantRows: ReturnType<typeof rawEntity<TenantEntity>>;
  private readonly workspaceRows: ReturnType<typeof rawEntity<WorkspaceEntity>>;

  async enterTenant(session: SessionIdentity, loaders: Loaders, tenantId: string): Promise<AccessView> {
    const facts = await this.gate.member(loaders, tenantId);
    return this.enter(session, loaders, facts, null);
  }

  async enterWorkspace(session: SessionIdentity, loaders: Loaders, workspaceId: string): Promise<AccessView> {
    const workspace = await this.tenancy.visibleWorkspace(loaders, session, workspaceId);
    const facts = await this.gate.member(loaders, workspace.tenantId);
    return this.enter(session, loaders, facts, workspace);
  }

  async verifyTwoFactor(session: SessionIdentity, loaders: Loaders, challengeId: string, code: string): Promise<AccessView> {
    return this.answer(session, loaders, challengeId, { method: 'TOTP', code });
  }

  async useRecoveryCode(session: SessionIdentity, loaders: Loaders, challengeId: string, code: string): Promise<AccessView> {
    return this.answer(session, loaders, challengeId, { method: 'RECOVERY_CODE', code });
  }

  /** A passkey's assertion: judged like a code (same attempts, same lock); a rejection is PASSKEY_REJECTED. */
  async verifyPasskey(session: SessionIdentity, loaders: Loaders, challengeId: string, credential: Record<string, unknown>): Promise<AccessView> {
    return this.answer(session, loaders, challengeId, { method: 'PASSKEY', credential });
  }

  async cancel(session: SessionIdentity, challengeId: string): Promise<boolean> {
    const result = await this.db.autocommit((manager) =>
      manager.update(ChallengeEntity, { id: challengeId, sessionId: session.sessionId, state: 'OPEN' }, { state: 'CANCELLED' }),
    );
    if (result.affected === 1) return true;
    const exists = await this.db.manager.existsBy(ChallengeEntity, { id: challengeId, sessionId: session.sessionId });
    assertThat(exists, 'NOT_FOUND');
    throw new DomainError('CHALLENGE_INVALIDATED');
  }

  private async enter(session: SessionIdentity, loaders: Loaders, facts: MemberFacts, workspace: WorkspaceEntity | null): Promise<AccessView> {
    const status = this.gate.decide(facts, workspace?.twoFactorRequired ?? false);
    const access = { status, tenant: facts.tenant, workspace, challenge: null };
    // An answered enter is the session's visit to this tenant (lastSignIn); a refused one is not.
    const recordEntry = () => this.db.autocommit((manager) => recordTenantEntry(manager, session, facts.tenant.id));
    if (status !== 'TWO_FACTOR_CHALLENGE_REQUIRED') return (await recordEntry(), access);

    const now = this.clock.now();
    this.assertNotLocked(facts.authenticator!.lockedUntil, now);
    const challenge = await this.openChallenge(session, facts.tenant.id, workspace?.id ?? null, now);
    await recordEntry();
    this.onEvent('challenge-issued');
    const status2fa = await this.enrolment.status(facts.tenant.id, session.agentId, loaders);
    return {
      ...access,
      challenge: {
        id: challenge.id,
        tenantId: challenge.tenantId,
        methods: status2fa.methods,
        attemptsRemaining: CHALLENGE_MAX_FAILED_ATTEMPTS - challenge.failedAttempts,
        expiresAt: challenge.expiresAt,
      },
    };
  }

  /** Hands back the session's open challenge for the same place, or replaces it with a fresh one. */
  private openChallenge(session: SessionIdentity, tenantId: string, workspaceId: string | null, now: Date): Promise<ChallengeEntity> {
    return this.db.transaction(async (tx) => {
      // Enters of one session take turns, and rows change by primary key only: a range UPDATE on (session,
      // tenant, state) that matches nothing gap-locks the index, and concurrent enters of different sessions
      // then deadlock inserting into that gap (MySQL/MariaDB).
      await this.db.lockRow(tx, 'sessions', session.sessionId);
      const open = await tx
        .createQueryBuilder(ChallengeEntity, 'c')
        .where('c.sessionId = :sessionId AND c.tenantId = :tenantId AND c.state = :open', { sessionId: session.sessionId, tenantId, open: 'OPEN' })
        .andWhere('c.expiresAt > :now AND c.failedAttempts < :max', { now, max: CHALLENGE_MAX_FAILED_ATTEMPTS })
        .orderBy('c.id', 'DESC')
        .getOne();
      if (open && open.workspaceId === workspaceId) return open;

      const stale = await tx.find(ChallengeEntity, { select: { id: true }, where: { sessionId: session.sessionId, tenantId, state: 'OPEN' } });
      const replaced = stale.length ? await tx.update(ChallengeEntity, { id: In(stale.map((c) => c.id)), state: 'OPEN' }, { state: 'INVALIDATED' }) : { affected: 0 };
      if (replaced.affected) {
        await recordAudit(tx, now, { tenantId, action: 'CHALLENGE_INVALIDATED', actorAgentId: session.agentId, subjectAgentId: session.agentId, workspaceId: open?.workspaceId ?? null });
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

  /**
   * Judges one answer in one transaction. A right answer must win two conditional updates (the authenticator's
   * time step or the recovery code's `used_at`, then the challenge's OPEN → PASSED); a wrong one spends an
   * attempt through conditional updates too, so parallel requests and aliases are each counted exactly once.
   */
  private async answer(session: SessionIdentity, loaders: Loaders, challengeId: string, given: Answer): Promise<AccessView> {
    const method = given.method;
    // An answer that cannot be right by its shape is bad input, not an attempt: it spends and changes nothing.
    assertThat(isWellFormed(given), 'BAD_USER_INPUT', { field: given.method === 'PASSKEY' ? 'credential' : 'code' });
    const now = this.clock.now();
    const outcome = await this.db.transaction(async (tx) => {
      const row = await this.loadChallenge(tx, loaders, challengeId);
      assertThat(row && row.sessionId === session.sessionId, 'NOT_FOUND');
      const isAnswerable =
        row.state === 'OPEN' && row.expiresAt > now && row.failedAttempts < CHALLENGE_MAX_FAILED_ATTEMPTS && row.authenticatorState === 'ENABLED';
      assertThat(isAnswerable, 'CHALLENGE_INVALIDATED');
      this.assertNotLocked(row.lockedUntil, now);

      const isRight = await this.claim(tx, row, given, now);
      if (isRight) {
        await this.pass(tx, session, row, method, now);
        return { passed: true as const, tenantId: row.tenantId, workspaceId: row.workspaceId };
      }
      return { passed: false as const, ...(await this.spendAttempt(tx, row, method, now)) };
    });

    if (!outcome.passed) {
      this.onEvent('challenge-failed');
      if (outcome.attemptsRemaining === 0) this.onEvent('challenge-invalidated');
      throw new DomainError(method === 'PASSKEY' ? 'PASSKEY_REJECTED' : 'INVALID_TWO_FACTOR_CODE', {
        attemptsRemaining: outcome.attemptsRemaining,
        ...(outcome.retryAfterSeconds ? { retryAfterSeconds: outcome.retryAfterSeconds } : {}),
      });
    }
    this.onEvent('challenge-passed');
    if (method === 'RECOVERY_CODE') this.onEvent('recovery-code-used');
    const tenant = (await loaders.tenant.load(outcome.tenantId))!;
    const workspace = outcome.workspaceId ? await loaders.workspace.load(outcome.workspaceId) : null;
    return { status: 'GRANTED', tenant, workspace, challenge: null };
  }

  private async loadChallenge(tx: Tx, loaders: Loaders, challengeId: string): Promise<ChallengeRow | null> {
    const [row] = await sqlRows(
      tx,
      `SELECT c.id, c.session_id, c.tenant_id, c.agent_id, c.workspace_id, c.state, c.failed_attempts, c.expires_at,
              a.id AS authenticator_id, a.state AS authenticator_state, a.secret_ciphertext, a.totp_enabled, a.last_used_step, a.locked_until,
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
      state: row.state as string,
      failedAttempts: rawInt(row.failed_attempts),
      expiresAt: rawDate(row.expires_at)!,
      authenticatorId: (row.authenticator_id as string | null) ?? null,
      authenticatorState: (row.authenticator_state as AuthenticatorStateName | null) ?? null,
      secretCiphertext: (row.secret_ciphertext as string | null) ?? '',
      totpEnabled: rawBool(row.totp_enabled),
      lastUsedStep: row.last_used_step === null || row.last_used_step === undefined ? null : rawInt(row.last_used_step),
      lockedUntil: rawDate(row.locked_until),
    };
  }

  /** Whether the answer is right, claimed so that it cannot be right a second time (in any process). */
  private async claim(tx: Tx, row: ChallengeRow, given: Answer, now: Date): Promise<boolean> {
    if (given.method === 'TOTP') return row.totpEnabled && this.claimTotpStep(tx, row, given.code, now); // a pending secret answers nothing
    if (given.method === 'RECOVERY_CODE') return this.claimRecoveryCode(tx, row, given.code, now);
    const claim = await this.passkeys.claimAssertion(tx, row, given.credential, now);
    if (claim !== 'accepted') return false;
    // As for a code: the pair's failure count restarts, only while it is not locked (otherwise all rolls back).
    const reset = await sqlExecute(tx, `UPDATE authenticators SET consecutive_failures = 0 WHERE id = ? AND ${NOT_LOCKED}`, [row.authenticatorId, now]);
    if (reset === 1) return true;
    throw this.rateLimited(now, await this.lockedUntil(tx, row.authenticatorId!));
  }

  /**
   * Replay protection: the step is claimed only if it is later than every step accepted before, in any process.
   * The same statement starts the pair's consecutive-failure count again, as a pass does, and refuses while the
   * pair is locked: an answer read before a racing 10th failure locked the pair must not pass after it.
   */
  private async claimTotpStep(tx: Tx, row: ChallengeRow, code: string, now: Date): Promise<boolean> {
    const secret = this.enrolment.openSecret({ secretCiphertext: row.secretCiphertext, tenantId: row.tenantId, agentId: row.agentId });
    const step = matchTotp(secret, code, now.getTime(), row.lastUsedStep);
    if (step === null) return false;
    const claimed = await sqlExecute(
      tx,
      `UPDATE authenticators SET last_used_step = ?, consecutive_failures = 0
        WHERE id = ? AND (last_used_step IS NULL OR last_used_step < ?) AND ${NOT_LOCKED}`,
      [step, row.authenticatorId, step, now],
    );
    if (claimed === 1) return true;
    await this.assertStillUnlocked(tx, row.authenticatorId!, now);
    return false; // a replayed step
  }

  /** The code is spent, then the count restarts only while the pair is not locked; otherwise both roll back. */
  private async claimRecoveryCode(tx: Tx, row: ChallengeRow, code: string, now: Date): Promise<boolean> {
    if (!(await this.recoveryCodes.consume(tx, row.tenantId, row.agentId, code, now))) return false;
    const reset = await sqlExecute(tx, `UPDATE authenticators SET consecutive_failures = 0 WHERE id = ? AND ${NOT_LOCKED}`, [row.authenticatorId, now]);
    if (reset === 1) {
      await this.recoveryCodes.replenish(tx, row.tenantId, row.agentId, now);
      return true;
    }
    throw this.rateLimited(now, await this.lockedUntil(tx, row.authenticatorId!)); // locked meanwhile: the code stays unused
  }

  /** After a conditional update on the authenticator matched nothing: RATE_LIMITED if the lock is why. */
  private async assertStillUnlocked(tx: Tx, authenticatorId: string, now: Date): Promise<void> {
    this.assertNotLocked(await this.lockedUntil(tx, authenticatorId), now);
  }

  private async pass(tx: Tx, session: SessionIdentity, row: ChallengeRow, method: AnswerMethod, now: Date): Promise<void> {
    const passed = await sqlExecute(
      tx,
      "UPDATE challenges SET state = 'PASSED' WHERE id = ? AND state = 'OPEN' AND failed_attempts < ? AND expires_at > ?",
      [row.id, CHALLENGE_MAX_FAILED_ATTEMPTS, now],
    );
    assertThat(passed === 1, 'CHALLENGE_INVALIDATED'); // spent by a racing answer: roll back the claim too
    await grantStanding(tx, session, row.tenantId, method, now);
    await recordAudit(tx, now, { tenantId: row.tenantId, action: 'CHALLENGE_PASSED', actorAgentId: row.agentId, subjectAgentId: row.agentId, workspaceId: row.workspaceId, method });
    if (method === 'RECOVERY_CODE') {
      await recordAudit(tx, now, { tenantId: row.tenantId, action: 'RECOVERY_CODE_USED', actorAgentId: row.agentId, subjectAgentId: row.agentId, workspaceId: row.workspaceId });
    }
  }

  /**
   * A wrong answer: one more consecutive failure for the (agent, tenant) pair (the 10th locks it) and one more
   * failed attempt on the challenge (the 5th invalidates it). Each SET reads only its own column, because MySQL
   * applies SET clauses left to right while SQLite reads the old row: the follow-up updates keep both alike.
   */
  private async spendAttempt(tx: Tx, row: ChallengeRow, method: AnswerMethod, now: Date): Promise<{ attemptsRemaining: number; retryAfterSeconds?: number }> {
    const counted = await sqlExecute(
      tx,
      `UPDATE authenticators SET consecutive_failures = consecutive_failures + 1 WHERE id = ? AND ${NOT_LOCKED}`,
      [row.authenticatorId, now],
    );
    if (counted !== 1) throw this.rateLimited(now, await this.lockedUntil(tx, row.authenticatorId!));
    const locked = await sqlExecute(
      tx,
      'UPDATE authenticators SET locked_until = ?, consecutive_failures = 0 WHERE id = ? AND consecutive_failures >= ?',
      [new Date(now.getTime() + LOCKOUT_DURATION_MS), row.authenticatorId, LOCKOUT_FAILURE_THRESHOLD],
    );
    const spent = await sqlExecute(
      tx,
      "UPDATE challenges SET failed_attempts = failed_attempts + 1 WHERE id = ? AND state = 'OPEN' AND failed_attempts < ? AND expires_at > ?",
      [row.id, CHALLENGE_MAX_FAILED_ATTEMPTS, now],
    );
    assertThat(spent === 1, 'CHALLENGE_INVALIDATED'); // attempts already spent by racing answers: roll back
    const invalidated = await sqlExecute(
      tx,
      "UPDATE challenges SET state = 'INVALIDATED' WHERE id = ? AND failed_attempts >= ?",
      [row.id, CHALLENGE_MAX_FAILED_ATTEMPTS],
    );

    const audit = { tenantId: row.tenantId, actorAgentId: row.agentId, subjectAgentId: row.agentId, workspaceId: row.workspaceId };
    await recordAudit(tx, now, { ...audit, action: 'CHALLENGE_FAILED', method });
    if (invalidated === 1) await recordAudit(tx, now, { ...audit, action: 'CHALLENGE_INVALIDATED' });

    const [{ failed_attempts }] = await sqlRows(tx, 'SELECT failed_attempts FROM challenges WHERE id = ?', [row.id]);
    return {
      attemptsRemaining: Math.max(0, CHALLENGE_MAX_FAILED_ATTEMPTS - rawInt(failed_attempts)),
      ...(locked === 1 ? { retryAfterSeconds: Math.ceil(LOCKOUT_DURATION_MS / 1000) } : {}),
    };
  }

  /**
   * The pair's lock as committed now. A locking read on MySQL/MariaDB: a plain SELECT would see the snapshot
   * the transaction began with, from before a racing answer locked the pair.
   */
  private async lockedUntil(tx: Tx, authenticatorId: string): Promise<Date | null> {
    const [row] = await sqlRows(tx, `SELECT locked_until FROM authenticators WHERE id = ?${this.db.isSqlite ? '' : ' FOR UPDATE'}`, [authenticatorId]);
    return rawDate(row?.locked_until);
  }

  private assertNotLocked(lockedUntil: Date | null, now: Date): void {
    if (lockedUntil && lockedUntil > now) throw this.rateLimited(now, lockedUntil);
  }

  private rateLimited(now: Date, lockedUntil: Date | null): DomainError {
    this.onEvent('answer-rate-limited');
    const seconds = lockedUntil ? Math.ceil((lockedUntil.getTime() - now.getTime()) / 1000) : Math.ceil(LOCKOUT_DURATION_MS / 1000);
    return new DomainError('RATE_LIMITED', { retryAfterSeconds: Math.max(1, seconds) });
  }
}

function isWellFormed(given: Answer): boolean {
  if (given.method === 'TOTP') return normalizeTotpCode(given.code) !== null;
  if (given.method === 'RECOVERY_CODE') return normalizeRecoveryCode(given.code) !== null;
  return typeof given.credential.id === 'string' && typeof given.credential.response === 'object' && given.credential.response !== null;
}
