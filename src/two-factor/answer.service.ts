import type { SessionIdentity } from '../accounts/session-identity';
import { AuditRecord, auditInsert, auditWritesNotices, recordAudit } from '../audit/audit-log';
import type { Clock } from '../clock';
import type { Loaders } from '../loaders';
import { inOneRoundTrip, SqlStatement } from '../db/one-round-trip';
import { Database, Tx } from '../db/database';
import { DomainError, assertThat } from '../errors/domain-error';
import type { TwoFactorMethodName } from './authenticator-state';
import type { ChallengeStore } from './challenge-store';
import type { AccessView } from './entry.service';
import type { SecondFactors } from './factors/registry';
import type { AnsweredChallenge, SecondFactor } from './factors/second-factor';
import type { IssuedDevice, RememberedDeviceService } from '../remembered-devices/remembered-device.service';
import { CHALLENGE_MAX_FAILED_ATTEMPTS } from './limits';
import { assertTwoFactorNotLocked, failureAsRead, isLockedError, LockSet, recordTwoFactorFailure, secondsUntil } from './lockout';
import { grantStanding, passedChallenge, standingInsert } from './standing';
import type { TwoFactorEventSink } from './two-factor-events';

/**
 * Answering a challenge with one of the second factors. One transaction judges the answer: a right one must win
 * the factor's claim (a conditional update) and then the challenge's OPEN → PASSED; a wrong one counts toward
 * the pair's lock-out and spends one of the challenge's attempts, through conditional updates too, so parallel
 * requests and aliases are each counted exactly once.
 */
type Outcome =
  | { passed: true; tenantId: string; workspaceId: string | null; rememberedDevice: IssuedDevice | null }
  | { passed: false; attemptsRemaining: number; retryAfterSeconds?: number };

const auditOf = (challenge: AnsweredChallenge) => ({
  tenantId: challenge.tenantId,
  actorAgentId: challenge.agentId,
  subjectAgentId: challenge.agentId,
  workspaceId: challenge.workspaceId,
});

/** The audit events of a right answer: the pass, and what the factor adds (a recovery code used). */
function passRecords(challenge: AnsweredChallenge, method: TwoFactorMethodName, factor: SecondFactor): [AuditRecord, ...AuditRecord[]] {
  const audit = auditOf(challenge);
  return [{ ...audit, action: 'CHALLENGE_PASSED', method }, ...(factor.onPass ? [{ ...audit, action: factor.onPass.audit }] : [])];
}

/** The audit events of a wrong answer: the failure, and what it ended (the challenge, the pair's answers for now). */
function wrongAnswerRecords(challenge: AnsweredChallenge, method: TwoFactorMethodName, invalidated: boolean, lock: LockSet | null): [AuditRecord, ...AuditRecord[]] {
  const audit = auditOf(challenge);
  return [
    { ...audit, action: 'CHALLENGE_FAILED', method },
    ...(invalidated ? [{ ...audit, action: 'CHALLENGE_INVALIDATED' as const }] : []),
    ...(lock ? [{ ...audit, action: 'TWO_FACTOR_LOCKED' as const }] : []),
  ];
}

function wrongOutcome(attemptsRemaining: number, lock: LockSet | null, now: Date): Outcome {
  return { passed: false, attemptsRemaining, ...(lock ? { retryAfterSeconds: secondsUntil(now, lock.lockedUntil) } : {}) };
}

export class AnswerService {
  constructor(
    private readonly db: Database,
    private readonly clock: Clock,
    private readonly challenges: ChallengeStore,
    private readonly factors: SecondFactors,
    private readonly devices: RememberedDeviceService,
    private readonly onEvent: TwoFactorEventSink,
  ) {}

  /**
   * `remember`: the answer asked to remember the device (`rememberDevice`), presenting these device secrets of
   * its own; where the tenant allows it, a passed answer remembers the device in the same transaction.
   */
  async answer(
    session: SessionIdentity,
    loaders: Loaders,
    challengeId: string,
    method: TwoFactorMethodName,
    code: string,
    remember: { presented: (tenantId: string) => string[] } | null = null,
  ): Promise<AccessView> {
    const factor = this.factors.answeringAs(method);
    // A code that cannot be right by its shape is bad input, not an attempt: it spends and changes nothing.
    assertThat(factor.isWellFormed(code), 'BAD_USER_INPUT', { field: factor.rejection?.field ?? 'code' }, factor.shapeMessage);
    const now = this.clock.now();
    const outcome = await this.judge(session, loaders, challengeId, method, factor, code, remember, now).catch((error: unknown) => {
      if (isLockedError(error)) this.onEvent('answer-rate-limited');
      throw error;
    });

    if (!outcome.passed) {
      this.onEvent('challenge-failed');
      if (outcome.attemptsRemaining === 0) this.onEvent('challenge-invalidated');
      throw new DomainError(factor.rejection?.code ?? 'INVALID_TWO_FACTOR_CODE', {
        attemptsRemaining: outcome.attemptsRemaining,
        ...(outcome.retryAfterSeconds ? { retryAfterSeconds: outcome.retryAfterSeconds } : {}),
      });
    }
    this.onEvent('challenge-passed');
    if (factor.onPass) this.onEvent(factor.onPass.event);
    const tenant = (await loaders.tenant.load(outcome.tenantId))!;
    const workspace = outcome.workspaceId ? await loaders.workspace.load(outcome.workspaceId) : null;
    return { status: 'GRANTED', tenant, workspace, challenge: null, standing: { source: 'CHALLENGE', passedAt: now }, rememberedDevice: outcome.rememberedDevice };
  }

  /**
   * Judges the answer. On SQLite in one transaction from the read on (the writer runs one at a time). On MariaDB
   * the read comes first, outside any transaction (a consistent read inside one would see the same: every write
   * below is conditional on what it relies on), and where the factor's claim is one conditional UPDATE (TOTP), a
   * right answer's writes then go as one compound statement (passInOneStatement), and so do a wrong one's
   * (wrongAnswerInOneStatement). Anything else runs in a transaction as on SQLite.
   */
  private async judge(
    session: SessionIdentity,
    loaders: Loaders,
    challengeId: string,
    method: TwoFactorMethodName,
    factor: SecondFactor,
    code: string,
    remember: { presented: (tenantId: string) => string[] } | null,
    now: Date,
  ): Promise<Outcome> {
    if (this.db.isSqlite) {
      return this.db.transaction(async (tx) => {
        const challenge = await this.challenges.loadForAnswer(tx, loaders, challengeId);
        return this.judgeRead(tx, session, loaders, this.answerable(challenge, session, now), method, factor, code, remember, now);
      });
    }
    const challenge = this.answerable(await this.challenges.loadForAnswer(this.db.manager, loaders, challengeId), session, now);
    const records = passRecords(challenge, method, factor);
    if (factor.claimStatement && !remember && !auditWritesNotices(records)) {
      const claim = factor.claimStatement({ challenge, answer: code, now });
      if (claim) return this.passInOneStatement(session, challenge, method, claim, records, now, (tx) => this.judgeRead(tx, session, loaders, challenge, method, factor, code, null, now));
      return this.wrongAnswerInOneStatement(session, challenge, method, now);
    }
    return this.db.transaction((tx) => this.judgeRead(tx, session, loaders, challenge, method, factor, code, remember, now));
  }

  /** The challenge as read, if it can be answered now by this session; else the error that says why not. */
  private answerable(challenge: AnsweredChallenge | null, session: SessionIdentity, now: Date): AnsweredChallenge {
    assertThat(challenge && challenge.sessionId === session.sessionId, 'NOT_FOUND');
    const isAnswerable =
      challenge.state === 'OPEN' &&
      challenge.expiresAt > now &&
      challenge.failedAttempts < CHALLENGE_MAX_FAILED_ATTEMPTS &&
      challenge.authenticatorState === 'ENABLED';
    assertThat(isAnswerable, 'CHALLENGE_INVALIDATED');
    assertTwoFactorNotLocked(challenge.lockedUntil, now);
    return challenge;
  }

  /** In one transaction: the factor's claim, then the pass, or the wrong answer. */
  private async judgeRead(
    tx: Tx,
    session: SessionIdentity,
    loaders: Loaders,
    challenge: AnsweredChallenge,
    method: TwoFactorMethodName,
    factor: SecondFactor,
    code: string,
    remember: { presented: (tenantId: string) => string[] } | null,
    now: Date,
  ): Promise<Outcome> {
    if (await factor.claim(tx, { challenge, answer: code, now, session })) {
      await this.challenges.markPassed(tx, challenge.id, now); // spent by a racing answer: rolls the claim back
      await grantStanding(tx, session, challenge.tenantId, passedChallenge(method, now), now);
      await recordAudit(tx, now, session, ...passRecords(challenge, method, factor));
      const rememberedDevice = remember ? await this.rememberDevice(tx, session, loaders, challenge.tenantId, method, remember.presented, now) : null;
      return { passed: true as const, tenantId: challenge.tenantId, workspaceId: challenge.workspaceId, rememberedDevice };
    }
    return this.recordWrongAnswer(tx, session, challenge, method, now);
  }

  /**
   * A wrong answer: one more consecutive failure for the pair (every 10th locks it), one more failed attempt on
   * the challenge (the 5th invalidates it). `counted`: the failure was counted already, setting this lock or none.
   */
  private async recordWrongAnswer(
    tx: Tx,
    session: SessionIdentity,
    challenge: AnsweredChallenge,
    method: TwoFactorMethodName,
    now: Date,
    counted: { lock: LockSet | null } | null = null,
  ): Promise<Outcome> {
    const lock = counted ? counted.lock : await recordTwoFactorFailure(tx, challenge.authenticatorId!, now, challenge);
    const { attemptsRemaining, invalidated } = await this.challenges.spendAttempt(tx, challenge, now);
    await recordAudit(tx, now, session, ...wrongAnswerRecords(challenge, method, invalidated, lock));
    return wrongOutcome(attemptsRemaining, lock, now);
  }

  /**
   * MariaDB: a wrong answer's writes in one round trip (inOneRoundTrip) while the pair and the challenge still hold
   * what was read: the failure counted (or the pair locked), the attempt spent, the audit events. When a racing
   * answer changed either row meanwhile, the same transaction goes on as recordWrongAnswer (from the attempt when
   * the failure was counted); when an event writes a notice, a transaction of its own.
   */
  private async wrongAnswerInOneStatement(session: SessionIdentity, challenge: AnsweredChallenge, method: TwoFactorMethodName, now: Date): Promise<Outcome> {
    const failure = failureAsRead(challenge.authenticatorId!, challenge, now);
    const attempt = this.challenges.attemptAsRead(challenge, now);
    const records = wrongAnswerRecords(challenge, method, attempt.invalidated, failure.lock);
    if (auditWritesNotices(records)) return this.db.transaction((tx) => this.recordWrongAnswer(tx, session, challenge, method, now));
    return inOneRoundTrip(
      this.db,
      { guarded: [failure.update, attempt.update], then: [auditInsert(now, session, records)] },
      () => wrongOutcome(attempt.attemptsRemaining, failure.lock, now),
      (tx, changed) => this.recordWrongAnswer(tx, session, challenge, method, now, changed === 1 ? failure : null),
    );
  }

  /**
   * MariaDB: a right answer's writes in one round trip (inOneRoundTrip): the factor's claim (its conditions, the
   * lock among them, in the same UPDATE), the challenge's OPEN → PASSED (its attempt cap and expiry in the UPDATE),
   * the standing and the audit events. When the claim changed nothing, the same transaction, its row locks held,
   * judges the answer as on SQLite (`judgeInTransaction`: the factor's claim misses again and says why, a lock or
   * a spent step); CHALLENGE_INVALIDATED when the claim held but a racing answer had spent the challenge.
   */
  private passInOneStatement(
    session: SessionIdentity,
    challenge: AnsweredChallenge,
    method: TwoFactorMethodName,
    claim: SqlStatement,
    records: [AuditRecord, ...AuditRecord[]],
    now: Date,
    judgeInTransaction: (tx: Tx) => Promise<Outcome>,
  ): Promise<Outcome> {
    const pass = this.challenges.passedUpdate(challenge.id, now);
    const standing = standingInsert(session, challenge.tenantId, passedChallenge(method, now), now);
    return inOneRoundTrip(
      this.db,
      { guarded: [claim, pass], then: [standing, auditInsert(now, session, records)] },
      (): Outcome => ({ passed: true, tenantId: challenge.tenantId, workspaceId: challenge.workspaceId, rememberedDevice: null }),
      (tx, changed) => {
        assertThat(changed === 0, 'CHALLENGE_INVALIDATED'); // the claim stays unspent: the transaction rolls back
        return judgeInTransaction(tx);
      },
    );
  }

  /** In the answer's transaction: the tenant (primed by loadForAnswer) says whether and for how long. */
  private async rememberDevice(
    tx: Tx,
    session: SessionIdentity,
    loaders: Loaders,
    tenantId: string,
    method: TwoFactorMethodName,
    presented: (tenantId: string) => string[],
    now: Date,
  ): Promise<IssuedDevice | null> {
    const tenant = (await loaders.tenant.load(tenantId))!;
    return this.devices.remember(tx, session, tenant, method, presented(tenantId), now);
  }

  /** Cancels the session's open challenge (sign in as a different user). */
  cancel(session: SessionIdentity, challengeId: string): Promise<boolean> {
    return this.challenges.cancel(session, challengeId);
  }
}
