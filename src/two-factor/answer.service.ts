import type { SessionIdentity } from '../accounts/session-identity';
import { recordAudit } from '../audit/audit-log';
import type { Clock } from '../clock';
import type { Loaders } from '../loaders';
import type { Database, Tx } from '../db/database';
import { DomainError, assertThat } from '../errors/domain-error';
import type { TwoFactorMethodName } from './authenticator-state';
import type { ChallengeStore } from './challenge-store';
import type { AccessView } from './entry.service';
import type { SecondFactors } from './factors/registry';
import type { IssuedDevice, RememberedDeviceService } from '../remembered-devices/remembered-device.service';
import { CHALLENGE_MAX_FAILED_ATTEMPTS } from './limits';
import { assertTwoFactorNotLocked, isLockedError, recordTwoFactorFailure, secondsUntil } from './lockout';
import { grantStanding, passedChallenge } from './standing';
import type { TwoFactorEventSink } from './two-factor-events';

/**
 * Answering a challenge with one of the second factors. One transaction judges the answer: a right one must win
 * the factor's claim (a conditional update) and then the challenge's OPEN → PASSED; a wrong one counts toward
 * the pair's lock-out and spends one of the challenge's attempts, through conditional updates too, so parallel
 * requests and aliases are each counted exactly once.
 */
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
    const outcome = await this.db
      .transaction(async (tx) => {
        const challenge = await this.challenges.loadForAnswer(tx, loaders, challengeId);
        assertThat(challenge && challenge.sessionId === session.sessionId, 'NOT_FOUND');
        const isAnswerable =
          challenge.state === 'OPEN' &&
          challenge.expiresAt > now &&
          challenge.failedAttempts < CHALLENGE_MAX_FAILED_ATTEMPTS &&
          challenge.authenticatorState === 'ENABLED';
        assertThat(isAnswerable, 'CHALLENGE_INVALIDATED');
        assertTwoFactorNotLocked(challenge.lockedUntil, now);
        const audit = { tenantId: challenge.tenantId, actorAgentId: challenge.agentId, subjectAgentId: challenge.agentId, workspaceId: challenge.workspaceId };

        if (await factor.claim(tx, { challenge, answer: code, now, session })) {
          await this.challenges.markPassed(tx, challenge.id, now); // spent by a racing answer: rolls the claim back
          await grantStanding(tx, session, challenge.tenantId, passedChallenge(method, now), now);
          await recordAudit(tx, now, session, { ...audit, action: 'CHALLENGE_PASSED', method }, ...(factor.onPass ? [{ ...audit, action: factor.onPass.audit }] : []));
          const rememberedDevice = remember ? await this.rememberDevice(tx, session, loaders, challenge.tenantId, method, remember.presented, now) : null;
          return { passed: true as const, tenantId: challenge.tenantId, workspaceId: challenge.workspaceId, rememberedDevice };
        }

        // A wrong answer: one more consecutive failure for the pair (every 10th locks it), one more failed attempt
        // on the challenge (the 5th invalidates it).
        const lock = await recordTwoFactorFailure(tx, challenge.authenticatorId!, now, challenge);
        const { attemptsRemaining, invalidated } = await this.challenges.spendAttempt(tx, challenge, now);
        await recordAudit(
          tx,
          now,
          session,
          { ...audit, action: 'CHALLENGE_FAILED', method },
          ...(invalidated ? [{ ...audit, action: 'CHALLENGE_INVALIDATED' as const }] : []),
          ...(lock ? [{ ...audit, action: 'TWO_FACTOR_LOCKED' as const }] : []),
        );
        return { passed: false as const, attemptsRemaining, ...(lock ? { retryAfterSeconds: secondsUntil(now, lock.lockedUntil) } : {}) };
      })
      .catch((error: unknown) => {
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
