import type { AccountService, SessionIdentity } from '../accounts/account.service';
import { recordAudit } from '../audit/audit-log';
import type { Clock } from '../clock';
import type { Loaders } from '../context';
import { renderQrCode } from '../crypto/qr-code';
import type { SecretBox } from '../crypto/secret-box';
import { matchTotp, newTotpSecret, normalizeTotpCode, totpUri } from '../crypto/totp';
import { Database, Tx, isUniqueViolation } from '../db/database';
import { AgentEntity, AuthenticatorEntity } from '../db/entities';
import { newId } from '../db/ids';
import { DomainError, assertThat } from '../errors/domain-error';
import { SpecificMessages } from '../errors/error-codes';
import { pairKey } from '../tenancy/pair-key';
import { twoFactorState } from './authenticator-state';
import type { TwoFactorEventSink } from './two-factor-events';
import type { GateService, MemberFacts } from './gate.service';
import { PENDING_ENROLMENT_LIFETIME_MS } from './limits';
import type { RecoveryCodeStore } from './recovery-code-store';
import { grantStanding, revokeStandings } from './standing';
import { StatusSnapshot, toTwoFactorStatus } from './two-factor-status';
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
    private readonly accounts: AccountService,
    private readonly secretBox: SecretBox,
    private readonly recoveryCodes: RecoveryCodeStore,
    private readonly onEvent: TwoFactorEventSink,
  ) {}

  async status(tenantId: string, agentId: string, loaders: Loaders): Promise<TwoFactorStatus> {
    const snapshot = await loaders.twoFactorStatus.load(pairKey(tenantId, agentId));
    return toTwoFactorStatus(snapshot, this.clock.now());
  }

  /** Password re-checked, then a fresh pending secret replaces any older pending one. */
  async begin(session: SessionIdentity, loaders: Loaders, tenantId: string, password: string): Promise<StartedEnrolment> {
    const facts = await this.enrolmentFacts(loaders, tenantId);
    await this.accounts.assertPassword(session.agentId, password);
    assertThat(twoFactorState(facts.authenticator, this.clock.now()) !== 'ENABLED', 'ALREADY_ENROLLED');

    const agent = await this.db.manager.findOneByOrFail(AgentEntity, { id: session.agentId });
    const secret = newTotpSecret();
    const sealed = this.secretBox.seal(secret, secretContext(tenantId, session.agentId));
    const now = this.clock.now();
    const expiresAt = new Date(now.getTime() + PENDING_ENROLMENT_LIFETIME_MS);
    const pending = { state: 'PENDING' as const, secretCiphertext: sealed.envelope, keyId: sealed.keyId, pendingExpiresAt: expiresAt };

    try {
      await this.db.transaction(async (tx) => {
        if (facts.authenticator) {
          const replaced = await tx.update(AuthenticatorEntity, { id: facts.authenticator.id, state: 'PENDING' }, pending);
          assertThat(replaced.affected === 1, 'ALREADY_ENROLLED'); // confirmed meanwhile by another request
        } else {
          await tx.insert(AuthenticatorEntity, {
            id: newId(),
            tenantId,
            agentId: session.agentId,
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

  /** The first right code turns the pending secret on, issues recovery codes, and gives this session standing. */
  async confirm(session: SessionIdentity, loaders: Loaders, tenantId: string, code: string): Promise<IssuedRecoveryCodes> {
    assertThat(normalizeTotpCode(code) !== null, 'BAD_USER_INPUT', { field: 'code' }, SpecificMessages.TOTP_CODE_SHAPE);
    const facts = await this.enrolmentFacts(loaders, tenantId);
    const now = this.clock.now();
    const state = twoFactorState(facts.authenticator, now);
    // Still NO_PENDING_ENROLMENT (the contract's code), but "start the setup again" would only meet ALREADY_ENROLLED.
    assertThat(state !== 'ENABLED', 'NO_PENDING_ENROLMENT', {}, SpecificMessages.ALREADY_CONFIRMED);
    assertThat(state === 'PENDING_CONFIRMATION', 'NO_PENDING_ENROLMENT');

    const row = await this.db.manager.findOneByOrFail(AuthenticatorEntity, { id: facts.authenticator!.id });
    const step = matchTotp(this.openSecret(row), code, now.getTime(), null);
    assertThat(step !== null, 'INVALID_TWO_FACTOR_CODE');

    const issued = await this.db.transaction(async (tx) => {
      const confirmed = await tx.update(
        AuthenticatorEntity,
        { id: row.id, state: 'PENDING', secretCiphertext: row.secretCiphertext },
        { state: 'ENABLED', confirmedAt: now, pendingExpiresAt: null, lastUsedStep: step, consecutiveFailures: 0, lockedUntil: null },
      );
      assertThat(confirmed.affected === 1, 'NO_PENDING_ENROLMENT'); // replaced or confirmed by a racing request
      const codes = await this.recoveryCodes.replaceSet(tx, tenantId, session.agentId, facts.tenant.recoveryCodeFormat, now);
      await grantStanding(tx, session, tenantId, 'ENROLMENT', now);
      await recordAudit(tx, now, { tenantId, action: 'TWO_FACTOR_ENABLED', actorAgentId: session.agentId, subjectAgentId: session.agentId });
      return { codes, status: toTwoFactorStatus({ state: 'ENABLED', pendingExpiresAt: null, confirmedAt: now, recoveryCodesRemaining: codes.length }, now) };
    });
    this.onEvent('enrolment-confirmed');
    return issued;
  }

  /** Password re-checked; the old set stops working in the same transaction that stores the new one. */
  async regenerateRecoveryCodes(session: SessionIdentity, facts: MemberFacts, password: string): Promise<IssuedRecoveryCodes> {
    await this.accounts.assertPassword(session.agentId, password);
    const now = this.clock.now();
    const authenticator = facts.authenticator;
    assertThat(authenticator && twoFactorState(authenticator, now) === 'ENABLED', 'TWO_FACTOR_NOT_ENABLED');
    const tenantId = facts.tenant.id;
    return this.db.transaction(async (tx) => {
      const codes = await this.recoveryCodes.replaceSet(tx, tenantId, session.agentId, facts.tenant.recoveryCodeFormat, now);
      await recordAudit(tx, now, { tenantId, action: 'RECOVERY_CODES_REGENERATED', actorAgentId: session.agentId, subjectAgentId: session.agentId });
      const snapshot: StatusSnapshot = { ...authenticator, recoveryCodesRemaining: codes.length };
      return { codes, status: toTwoFactorStatus(snapshot, now) };
    });
  }

  /** Password re-checked; back to NOT_CONFIGURED in this tenant only. */
  async disable(session: SessionIdentity, facts: MemberFacts, password: string): Promise<TwoFactorStatus> {
    await this.accounts.assertPassword(session.agentId, password);
    const now = this.clock.now();
    assertThat(twoFactorState(facts.authenticator, now) !== 'NOT_CONFIGURED', 'TWO_FACTOR_NOT_ENABLED');
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

  openSecret(row: Pick<AuthenticatorEntity, 'secretCiphertext' | 'tenantId' | 'agentId'>): string {
    return this.secretBox.open(row.secretCiphertext, secretContext(row.tenantId, row.agentId));
  }

  /** Enrolment stays open behind the gate (a blocked agent must be able to enrol), but needs tenant 2FA on. */
  private async enrolmentFacts(loaders: Loaders, tenantId: string): Promise<MemberFacts> {
    const facts = await this.gate.member(loaders, tenantId);
    assertThat(facts.tenant.twoFactorEnabled, 'TENANT_TWO_FACTOR_DISABLED');
    return facts;
  }

  private async removeAuthenticator(tx: Tx, tenantId: string, agentId: string): Promise<void> {
    await this.recoveryCodes.deleteSet(tx, tenantId, agentId);
    await tx.delete(AuthenticatorEntity, { tenantId, agentId });
  }
}
