import type { SessionIdentity } from '../../../accounts/session-identity';
import { recordTenantEntry } from '../../../accounts/tenant-entry';
import { recordAudit } from '../../../audit/audit-log';
import type { Clock } from '../../../clock';
import type { Loaders } from '../../../loaders';
import { renderQrCode } from '../../../crypto/qr-code';
import type { SecretBox } from '../../../crypto/secret-box';
import { matchTotp, newTotpSecret, normalizeTotpCode, totpUri } from '../../../crypto/totp';
import { Database, isUniqueViolation, sqlExecute, sqlRows } from '../../../db/database';
import { AgentEntity, AuthenticatorEntity } from '../../../db/entities';
import { newId } from '../../../db/ids';
import { rawInt } from '../../../db/raw';
import { DomainError, assertThat } from '../../../errors/domain-error';
import { SpecificMessages } from '../../../errors/error-codes';
import { twoFactorState } from '../../authenticator-state';
import type { IssuedRecoveryCodes } from '../../enrolment.service';
import type { GateService, MemberFacts } from '../../gate.service';
import { ENROLMENT_MAX_FAILED_CONFIRMATIONS, PENDING_ENROLMENT_LIFETIME_MS } from '../../limits';
import { assertStillNotLocked, assertTotpOpen, assertTwoFactorNotLocked, lockIfThresholdReached, NOT_LOCKED, secondsUntil, TOTP_OPEN } from '../../lockout';
import type { ReauthenticationService } from '../../reauthentication.service';
import { discardPendingEnrolments, grantStanding, hasStanding, passedChallenge } from '../../standing';
import { standingCutoff } from '../../gate';
import { pairStatusIn } from '../../two-factor-status';
import type { TwoFactorEventSink } from '../../two-factor-events';
import type { RecoveryCodeStore } from '../recovery-code/recovery-code-store';
import { openTotpSecret, sealTotpSecret } from './totp-secret';
import { countTwoFactorEnabled } from '../../../tenancy/member-counts';

export interface StartedEnrolment {
  secret: string;
  otpauthUri: string;
  qrCodeDataUrl: string;
  qrCodeSvg: string;
  expiresAt: Date;
}

/**
 * Enrolling TOTP in one tenant: a pending secret (begin), turned on by the first right code from the same
 * session (confirm), which also issues the recovery codes and gives the session standing.
 */
export class TotpEnrolmentService {
  constructor(
    private readonly db: Database,
    private readonly clock: Clock,
    private readonly gate: GateService,
    private readonly reauth: ReauthenticationService,
    private readonly secretBox: SecretBox,
    private readonly recoveryCodes: RecoveryCodeStore,
    private readonly onEvent: TwoFactorEventSink,
  ) {}

  /**
   * State first (so the answer to a guessed password never says more than "wrong password"), then the password
   * re-checked, then a fresh pending secret, bound to this session, replaces any older pending one.
   */
  async begin(session: SessionIdentity, loaders: Loaders, tenantId: string, password: string): Promise<StartedEnrolment> {
    const facts = await this.enrolmentFacts(loaders, tenantId);
    assertThat(!facts.authenticator?.totpEnabled, 'ALREADY_ENROLLED');
    // TOTP beside passkeys: a second factor is added only by a session that passed this tenant's challenge.
    const isEnabled = twoFactorState(facts.authenticator, this.clock.now()) === 'ENABLED';
    assertThat(!isEnabled || facts.hasStanding, 'TWO_FACTOR_REQUIRED');
    await this.reauth.reauthenticate(session, tenantId, password);

    const agent = await this.db.manager.findOneByOrFail(AgentEntity, { id: session.agentId });
    const secret = newTotpSecret();
    const sealed = sealTotpSecret(this.secretBox, secret, tenantId, session.agentId);
    const now = this.clock.now();
    const expiresAt = new Date(now.getTime() + PENDING_ENROLMENT_LIFETIME_MS);
    const pending = {
      secretCiphertext: sealed.envelope,
      keyId: sealed.keyId,
      pendingExpiresAt: expiresAt,
      pendingSessionId: session.sessionId,
      pendingFailedAttempts: 0,
    };

    try {
      await this.db.transaction(async (tx) => {
        if (facts.authenticator) {
          // The pair's state stays as it is (PENDING, or ENABLED by passkeys); only the TOTP part is replaced.
          const replaced = await tx.update(AuthenticatorEntity, { id: facts.authenticator.id, totpEnabled: false }, pending);
          assertThat(replaced.affected === 1, 'ALREADY_ENROLLED'); // confirmed meanwhile by another request
        } else {
          await tx.insert(AuthenticatorEntity, {
            id: newId(),
            tenantId,
            agentId: session.agentId,
            state: 'PENDING',
            ...pending,
            confirmedAt: null,
            lastUsedStep: null,
            consecutiveFailures: 0,
            lockedUntil: null,
            consecutiveLocks: 0,
            createdAt: now,
          });
        }
        await recordAudit(tx, now, session, { tenantId, action: 'TWO_FACTOR_ENROLMENT_STARTED', actorAgentId: session.agentId, subjectAgentId: session.agentId });
      });
    } catch (error) {
      if (isUniqueViolation(error)) throw new DomainError('ALREADY_ENROLLED'); // a racing begin created the row first
      throw error;
    }

    const otpauthUri = totpUri(secret, facts.tenant.issuer, agent.email);
    const qr = await renderQrCode(otpauthUri);
    return { secret, otpauthUri, qrCodeDataUrl: qr.dataUrl, qrCodeSvg: qr.svg, expiresAt };
  }

  /**
   * The first right code, from the session that began the enrolment, turns the pending secret on, issues
   * recovery codes, and gives this session standing. Another session sees no pending enrolment. Beside a factor
   * the pair has already (ENABLED), the session needs its standing, as for beginning (TWO_FACTOR_REQUIRED). A wrong code
   * spends one of 5 attempts (the 5th discards the secret) and counts toward the pair's 10-failure lock, which
   * also refuses confirmations while it holds.
   */
  async confirm(session: SessionIdentity, loaders: Loaders, tenantId: string, code: string): Promise<IssuedRecoveryCodes> {
    assertThat(normalizeTotpCode(code) !== null, 'BAD_USER_INPUT', { field: 'code' }, SpecificMessages.TOTP_CODE_SHAPE);
    const facts = await this.enrolmentFacts(loaders, tenantId);
    const now = this.clock.now();
    const pair = facts.authenticator;
    // Still NO_PENDING_ENROLMENT (the contract's code), but "start the setup again" would only meet ALREADY_ENROLLED.
    assertThat(!pair?.totpEnabled, 'NO_PENDING_ENROLMENT', {}, SpecificMessages.ALREADY_CONFIRMED);
    const hasPendingTotp = pair && pair.pendingExpiresAt !== null && pair.pendingExpiresAt > now;
    assertThat(hasPendingTotp, 'NO_PENDING_ENROLMENT');
    // Beside a factor the pair has already, as for beginning: only a session that passed this tenant's challenge.
    assertThat(twoFactorState(pair, now) !== 'ENABLED' || facts.hasStanding, 'TWO_FACTOR_REQUIRED');

    const row = await this.db.manager.findOneByOrFail(AuthenticatorEntity, { id: facts.authenticator!.id });
    const isConfirmable = row.pendingSessionId === session.sessionId && row.pendingFailedAttempts < ENROLMENT_MAX_FAILED_CONFIRMATIONS;
    assertThat(isConfirmable, 'NO_PENDING_ENROLMENT');
    assertTwoFactorNotLocked(row.lockedUntil, now);
    assertTotpOpen(row.consecutiveLocks);
    const step = matchTotp(openTotpSecret(this.secretBox, row), code, now.getTime(), null);
    if (step === null) throw await this.spendConfirmation(session, row, now);

    const issued = await this.db.transaction(async (tx) => {
      // Still pending, the same secret, this session's, attempts left, the pair not locked, and either not yet
      // protected or this session holding its standing: decided here, not on what was read before.
      const confirmed = await sqlExecute(
        tx,
        `UPDATE authenticators
            SET totp_enabled = 1, pending_expires_at = NULL, last_used_step = ?, consecutive_failures = 0, consecutive_locks = 0,
                locked_until = NULL, pending_session_id = NULL, pending_failed_attempts = 0
          WHERE id = ? AND totp_enabled = 0 AND secret_ciphertext = ? AND pending_session_id = ? AND pending_expires_at > ?
            AND pending_failed_attempts < ? AND ${NOT_LOCKED} AND ${TOTP_OPEN} AND (state = 'PENDING' OR ${hasStanding('authenticators.tenant_id')})`,
        [
          ...[step, row.id, row.secretCiphertext, session.sessionId, now, ENROLMENT_MAX_FAILED_CONFIRMATIONS, now],
          ...[session.sessionId, standingCutoff(facts.tenant.secondFactorLifetimeSeconds, now)],
        ],
      );
      if (confirmed !== 1) {
        await assertStillNotLocked(tx, row.id, now, 'TOTP');
        throw new DomainError('NO_PENDING_ENROLMENT'); // replaced, discarded or confirmed by a racing request
      }
      // The pair's first factor turns it ENABLED and issues the codes; TOTP added beside passkeys issues none.
      const isFirstFactor = (await sqlExecute(tx, "UPDATE authenticators SET state = 'ENABLED', confirmed_at = ? WHERE id = ? AND state = 'PENDING'", [now, row.id])) === 1;
      const codes = isFirstFactor ? await this.recoveryCodes.replaceSet(tx, tenantId, session.agentId, facts.tenant.recoveryCodeFormat, now) : [];
      await grantStanding(tx, session, tenantId, passedChallenge('ENROLMENT', now), now);
      await recordTenantEntry(tx, session, tenantId); // a visit to this tenant for lastSignIn, even without an enter
      if (isFirstFactor) {
        await discardPendingEnrolments(tx, tenantId, session.agentId, session.sessionId); // other sessions' passkey ceremonies
        await countTwoFactorEnabled(tx, tenantId, session.agentId);
        await recordAudit(tx, now, session, { tenantId, action: 'TWO_FACTOR_ENABLED', actorAgentId: session.agentId, subjectAgentId: session.agentId });
      } else await recordAudit(tx, now, session, { tenantId, action: 'TOTP_ADDED', actorAgentId: session.agentId, subjectAgentId: session.agentId, method: 'TOTP' });
      return { codes, status: await pairStatusIn(tx, tenantId, session.agentId, now) };
    });
    this.onEvent('enrolment-confirmed');
    return issued;
  }

  /**
   * A wrong confirmation code: one attempt of the pending secret and one consecutive failure of the pair, in one
   * conditional UPDATE (so racing wrong codes are each counted once and none past the 5th); the 5th discards the
   * secret (it expires now), the pair's 10th locks it. Answers the error to throw.
   */
  private async spendConfirmation(session: SessionIdentity, row: AuthenticatorEntity, now: Date): Promise<DomainError> {
    const outcome = await this.db.transaction(async (tx) => {
      const counted = await sqlExecute(
        tx,
        `UPDATE authenticators SET pending_failed_attempts = pending_failed_attempts + 1, consecutive_failures = consecutive_failures + 1
          WHERE id = ? AND totp_enabled = 0 AND secret_ciphertext = ? AND pending_session_id = ? AND pending_expires_at > ?
            AND pending_failed_attempts < ? AND ${NOT_LOCKED} AND ${TOTP_OPEN}`,
        [row.id, row.secretCiphertext, session.sessionId, now, ENROLMENT_MAX_FAILED_CONFIRMATIONS, now],
      );
      if (counted !== 1) {
        await assertStillNotLocked(tx, row.id, now, 'TOTP');
        throw new DomainError('NO_PENDING_ENROLMENT');
      }
      const lock = await lockIfThresholdReached(tx, row.id, now);
      if (lock) await recordAudit(tx, now, session, { tenantId: row.tenantId, action: 'TWO_FACTOR_LOCKED', actorAgentId: session.agentId, subjectAgentId: session.agentId });
      await sqlExecute(tx, 'UPDATE authenticators SET pending_expires_at = ? WHERE id = ? AND pending_failed_attempts >= ?', [now, row.id, ENROLMENT_MAX_FAILED_CONFIRMATIONS]);
      const [{ pending_failed_attempts }] = await sqlRows(tx, 'SELECT pending_failed_attempts FROM authenticators WHERE id = ?', [row.id]);
      return { attemptsRemaining: Math.max(0, ENROLMENT_MAX_FAILED_CONFIRMATIONS - rawInt(pending_failed_attempts)), lock };
    });
    return new DomainError('INVALID_TWO_FACTOR_CODE', {
      attemptsRemaining: outcome.attemptsRemaining,
      ...(outcome.lock ? { retryAfterSeconds: secondsUntil(now, outcome.lock.lockedUntil) } : {}),
    });
  }

  /** Enrolment stays open behind the gate (a blocked agent must be able to enrol), but needs tenant 2FA on. */
  private async enrolmentFacts(loaders: Loaders, tenantId: string): Promise<MemberFacts> {
    const facts = await this.gate.member(loaders, tenantId);
    assertThat(facts.tenant.twoFactorEnabled, 'TENANT_TWO_FACTOR_DISABLED');
    return facts;
  }
}
