import type { SessionIdentity } from '../accounts/account.service';
import { recordTenantEntry } from '../accounts/tenant-entry';
import { recordAudit } from '../audit/audit-log';
import type { Clock } from '../clock';
import type { Loaders } from '../context';
import { renderQrCode } from '../crypto/qr-code';
import type { SecretBox } from '../crypto/secret-box';
import { matchTotp, newTotpSecret, normalizeTotpCode, totpUri } from '../crypto/totp';
import { Database, Tx, isUniqueViolation, sqlExecute, sqlRows } from '../db/database';
import { AgentEntity, AuthenticatorEntity, PasskeyEntity } from '../db/entities';
import { newId } from '../db/ids';
import { rawDate, rawInt } from '../db/raw';
import { DomainError, assertThat } from '../errors/domain-error';
import { pairKey } from '../tenancy/pair-key';
import { twoFactorState } from './authenticator-state';
import type { TwoFactorEventSink } from './two-factor-events';
import type { GateService, MemberFacts } from './gate.service';
import {
  ENROLMENT_MAX_FAILED_CONFIRMATIONS,
  LOCKOUT_DURATION_MS,
  LOCKOUT_FAILURE_THRESHOLD,
  PENDING_ENROLMENT_LIFETIME_MS,
} from './limits';
import type { ReauthenticationService } from './reauthentication.service';
import type { RecoveryCodeStore } from './recovery-code-store';
import { grantStanding, revokeStandings } from './standing';
import { PASSKEY_COUNT, RECOVERY_CODES_REMAINING, StatusSnapshot, statusSnapshotFromRow, toTwoFactorStatus } from './two-factor-status';
import { lockPairFactors } from './factors/passkey/passkey.service';
import type { TwoFactorStatus } from './two-factor.types';

export interface StartedEnrolment {
  secret: string;
  otpauthUri: string;
  qrCodeDataUrl: string;
  qrCodeSvg: string;
  expiresAt: Date;
}

export interface IssuedRecoveryCodes {
  codes: string[];
  status: TwoFactorStatus;
}

/** The binding of a sealed secret to its row: a ciphertext moved to another agent or tenant will not open. */
export const secretContext = (tenantId: string, agentId: string) => `totp:${tenantId}:${agentId}`;

/** An agent's own authenticator in one tenant: enrol, confirm, regenerate codes, disable; and the admin reset. */
export class EnrolmentService {
  constructor(
    private readonly db: Database,
    private readonly clock: Clock,
    private readonly gate: GateService,
    private readonly reauth: ReauthenticationService,
    private readonly secretBox: SecretBox,
    private readonly recoveryCodes: RecoveryCodeStore,
    private readonly onEvent: TwoFactorEventSink,
  ) {}

  async status(tenantId: string, agentId: string, loaders: Loaders): Promise<TwoFactorStatus> {
    const snapshot = await loaders.twoFactorStatus.load(pairKey(tenantId, agentId));
    return toTwoFactorStatus(snapshot, this.clock.now(), { tenantId, agentId });
  }

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
    const sealed = this.secretBox.seal(secret, secretContext(tenantId, session.agentId));
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
            createdAt: now,
          });
        }
        await recordAudit(tx, now, { tenantId, action: 'TWO_FACTOR_ENROLMENT_STARTED', actorAgentId: session.agentId, subjectAgentId: session.agentId });
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
   * recovery codes, and gives this session standing. Another session sees no pending enrolment. A wrong code
   * spends one of 5 attempts (the 5th discards the secret) and counts toward the pair's 10-failure lock, which
   * also refuses confirmations while it holds.
   */
  async confirm(session: SessionIdentity, loaders: Loaders, tenantId: string, code: string): Promise<IssuedRecoveryCodes> {
    assertThat(normalizeTotpCode(code) !== null, 'BAD_USER_INPUT', { field: 'code' });
    const facts = await this.enrolmentFacts(loaders, tenantId);
    const now = this.clock.now();
    const pendingTotp = facts.authenticator && !facts.authenticator.totpEnabled && facts.authenticator.pendingExpiresAt && facts.authenticator.pendingExpiresAt > now;
    assertThat(pendingTotp, 'NO_PENDING_ENROLMENT');

    const row = await this.db.manager.findOneByOrFail(AuthenticatorEntity, { id: facts.authenticator!.id });
    const isConfirmable = row.pendingSessionId === session.sessionId && row.pendingFailedAttempts < ENROLMENT_MAX_FAILED_CONFIRMATIONS;
    assertThat(isConfirmable, 'NO_PENDING_ENROLMENT');
    assertNotLocked(row.lockedUntil, now);
    const step = matchTotp(this.openSecret(row), code, now.getTime(), null);
    if (step === null) throw await this.spendConfirmation(session, row, now);

    const issued = await this.db.transaction(async (tx) => {
      // Still pending, the same secret, this session's, attempts left and the pair not locked: decided here.
      const confirmed = await sqlExecute(
        tx,
        `UPDATE authenticators
            SET totp_enabled = 1, pending_expires_at = NULL, last_used_step = ?, consecutive_failures = 0,
                locked_until = NULL, pending_session_id = NULL, pending_failed_attempts = 0
          WHERE id = ? AND totp_enabled = 0 AND secret_ciphertext = ? AND pending_session_id = ? AND pending_expires_at > ?
            AND pending_failed_attempts < ? AND (locked_until IS NULL OR locked_until <= ?)`,
        [step, row.id, row.secretCiphertext, session.sessionId, now, ENROLMENT_MAX_FAILED_CONFIRMATIONS, now],
      );
      if (confirmed !== 1) {
        assertNotLocked(await this.lockedUntil(tx, row.id), now);
        throw new DomainError('NO_PENDING_ENROLMENT'); // replaced, discarded or confirmed by a racing request
      }
      // The pair's first factor turns it ENABLED and issues the codes; TOTP added beside passkeys issues none.
      const isFirstFactor = (await sqlExecute(tx, "UPDATE authenticators SET state = 'ENABLED', confirmed_at = ? WHERE id = ? AND state = 'PENDING'", [now, row.id])) === 1;
      const codes = isFirstFactor ? await this.recoveryCodes.replaceSet(tx, tenantId, session.agentId, facts.tenant.recoveryCodeFormat, now) : [];
      await grantStanding(tx, session, tenantId, 'ENROLMENT', now);
      await recordTenantEntry(tx, session, tenantId); // a visit to this tenant for lastSignIn, even without an enter
      if (isFirstFactor) {
        await recordAudit(tx, now, { tenantId, action: 'TWO_FACTOR_ENABLED', actorAgentId: session.agentId, subjectAgentId: session.agentId, method: 'TOTP' });
      }
      return { codes, status: await this.statusIn(tx, tenantId, session.agentId, now) };
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
            AND pending_failed_attempts < ? AND (locked_until IS NULL OR locked_until <= ?)`,
        [row.id, row.secretCiphertext, session.sessionId, now, ENROLMENT_MAX_FAILED_CONFIRMATIONS, now],
      );
      if (counted !== 1) {
        assertNotLocked(await this.lockedUntil(tx, row.id), now);
        throw new DomainError('NO_PENDING_ENROLMENT');
      }
      const locked = await sqlExecute(tx, 'UPDATE authenticators SET locked_until = ?, consecutive_failures = 0 WHERE id = ? AND consecutive_failures >= ?', [
        new Date(now.getTime() + LOCKOUT_DURATION_MS),
        row.id,
        LOCKOUT_FAILURE_THRESHOLD,
      ]);
      await sqlExecute(tx, 'UPDATE authenticators SET pending_expires_at = ? WHERE id = ? AND pending_failed_attempts >= ?', [now, row.id, ENROLMENT_MAX_FAILED_CONFIRMATIONS]);
      const [{ pending_failed_attempts }] = await sqlRows(tx, 'SELECT pending_failed_attempts FROM authenticators WHERE id = ?', [row.id]);
      return { attemptsRemaining: Math.max(0, ENROLMENT_MAX_FAILED_CONFIRMATIONS - rawInt(pending_failed_attempts)), locked: locked === 1 };
    });
    return new DomainError('INVALID_TWO_FACTOR_CODE', {
      attemptsRemaining: outcome.attemptsRemaining,
      ...(outcome.locked ? { retryAfterSeconds: Math.ceil(LOCKOUT_DURATION_MS / 1000) } : {}),
    });
  }

  /** State, then the password re-checked; the old set stops working in the same transaction that stores the new one. */
  async regenerateRecoveryCodes(session: SessionIdentity, facts: MemberFacts, password: string): Promise<IssuedRecoveryCodes> {
    const now = this.clock.now();
    const authenticator = facts.authenticator;
    assertThat(authenticator && twoFactorState(authenticator, now) === 'ENABLED', 'TWO_FACTOR_NOT_ENABLED');
    const tenantId = facts.tenant.id;
    await this.reauth.reauthenticate(session, tenantId, password);
    return this.db.transaction(async (tx) => {
      const codes = await this.recoveryCodes.replaceSet(tx, tenantId, session.agentId, facts.tenant.recoveryCodeFormat, now);
      await recordAudit(tx, now, { tenantId, action: 'RECOVERY_CODES_REGENERATED', actorAgentId: session.agentId, subjectAgentId: session.agentId });
      const snapshot: StatusSnapshot = { ...authenticator, recoveryCodesRemaining: codes.length };
      return { codes, status: toTwoFactorStatus(snapshot, now, { tenantId, agentId: session.agentId }) };
    });
  }

  /**
   * Removes TOTP and keeps the passkeys: state (TOTP on, a passkey left) first, then the password, then the
   * last-factor rule again under the pair's row lock, so a racing removePasskey cannot leave the pair with none.
   */
  async removeTotp(session: SessionIdentity, facts: MemberFacts, password: string): Promise<TwoFactorStatus> {
    const now = this.clock.now();
    const pair = facts.authenticator;
    assertThat(pair && twoFactorState(pair, now) === 'ENABLED' && pair.totpEnabled, 'TWO_FACTOR_NOT_ENABLED');
    assertThat(pair.passkeyCount > 0, 'LAST_FACTOR');
    const tenantId = facts.tenant.id;
    await this.reauth.reauthenticate(session, tenantId, password);
    return this.db.transaction(async (tx) => {
      const factors = await lockPairFactors(this.db, tx, pair.id, tenantId, session.agentId);
      assertThat(factors.totpEnabled, 'TWO_FACTOR_NOT_ENABLED');
      assertThat(factors.passkeyCount > 0, 'LAST_FACTOR');
      await sqlExecute(tx, "UPDATE authenticators SET totp_enabled = 0, secret_ciphertext = '', key_id = '', last_used_step = NULL, pending_expires_at = NULL WHERE id = ?", [pair.id]);
      await recordAudit(tx, now, { tenantId, action: 'TOTP_REMOVED', actorAgentId: session.agentId, subjectAgentId: session.agentId, method: 'TOTP' });
      return this.statusIn(tx, tenantId, session.agentId, now);
    });
  }

  /** The pair's status as this transaction sees it. */
  private async statusIn(tx: Tx, tenantId: string, agentId: string, now: Date): Promise<TwoFactorStatus> {
    const [row] = await sqlRows(
      tx,
      `SELECT a.state AS authenticator_state, a.pending_expires_at, a.confirmed_at, a.totp_enabled,
              ${RECOVERY_CODES_REMAINING} AS recovery_codes_remaining, ${PASSKEY_COUNT} AS passkey_count
         FROM authenticators a WHERE a.tenant_id = ? AND a.agent_id = ?`,
      [tenantId, agentId],
    );
    return toTwoFactorStatus(row ? statusSnapshotFromRow(row) : null, now, { tenantId, agentId });
  }

  /** State, then the password re-checked; back to NOT_CONFIGURED in this tenant only. */
  async disable(session: SessionIdentity, facts: MemberFacts, password: string): Promise<TwoFactorStatus> {
    const now = this.clock.now();
    assertThat(twoFactorState(facts.authenticator, now) !== 'NOT_CONFIGURED', 'TWO_FACTOR_NOT_ENABLED');
    await this.reauth.reauthenticate(session, facts.tenant.id, password);
    await this.db.transaction(async (tx) => {
      await this.removeAuthenticator(tx, facts.tenant.id, session.agentId);
      await recordAudit(tx, now, { tenantId: facts.tenant.id, action: 'TWO_FACTOR_DISABLED', actorAgentId: session.agentId, subjectAgentId: session.agentId });
    });
    return toTwoFactorStatus(null, now);
  }

  /** Admin reset: authenticator and codes gone in this tenant, and every session of the agent loses its standing here. */
  async reset(actor: SessionIdentity, tenantId: string, agentId: string): Promise<TwoFactorStatus> {
    const now = this.clock.now();
    await this.db.transaction(async (tx) => {
      await this.removeAuthenticator(tx, tenantId, agentId);
      await revokeStandings(tx, tenantId, agentId, now);
      await recordAudit(tx, now, { tenantId, action: 'TWO_FACTOR_RESET', actorAgentId: actor.agentId, subjectAgentId: agentId });
    });
    return toTwoFactorStatus(null, now);
  }

  /** The pair's lock as committed now (a locking read on MySQL/MariaDB, not the transaction's snapshot). */
  private async lockedUntil(tx: Tx, authenticatorId: string): Promise<Date | null> {
    const [row] = await sqlRows(tx, `SELECT locked_until FROM authenticators WHERE id = ?${this.db.isSqlite ? '' : ' FOR UPDATE'}`, [authenticatorId]);
    return rawDate(row?.locked_until);
  }

  openSecret(row: Pick<AuthenticatorEntity, 'secretCiphertext' | 'tenantId' | 'agentId'>): string {
    return this.secretBox.open(row.secretCiphertext, secretContext(row.tenantId, row.agentId));
  }

  /** Enrolment stays open behind the gate (a blocked agent must be able to enrol), but needs tenant 2FA on. */
  private async enrolmentFacts(loaders: Loaders, tenantId: string): Promise<MemberFacts> {
    const facts = await this.gate.member(loaders, tenantId);
    assertThat(facts.tenant.twoFactorEnabled, 'TENANT_TWO_FACTOR_DISABLED');
    return facts;
  }

  /** Every factor of the pair goes: TOTP, passkeys, recovery codes. */
  private async removeAuthenticator(tx: Tx, tenantId: string, agentId: string): Promise<void> {
    await this.recoveryCodes.deleteSet(tx, tenantId, agentId);
    await tx.delete(PasskeyEntity, { tenantId, agentId });
    await tx.delete(AuthenticatorEntity, { tenantId, agentId });
  }
}

/** The pair's 10-failure lock (shared with challenges): RATE_LIMITED while it holds. */
function assertNotLocked(until: Date | null, now: Date): void {
  if (until && until > now) throw new DomainError('RATE_LIMITED', { retryAfterSeconds: Math.max(1, Math.ceil((until.getTime() - now.getTime()) / 1000)) });
}

