import type { SessionIdentity } from '../../../accounts/session-identity';
import { recordTenantEntry } from '../../../accounts/tenant-entry';
import { recordAudit } from '../../../audit/audit-log';
import type { Clock } from '../../../clock';
import type { Loaders } from '../../../loaders';
import { Database, isUniqueViolation, sqlExecute, sqlRows, Tx } from '../../../db/database';
import { AgentEntity, AuthenticatorEntity, PasskeyEntity } from '../../../db/entities';
import { newId } from '../../../db/ids';
import { DomainError, assertThat } from '../../../errors/domain-error';
import { countTwoFactorEnabled } from '../../../tenancy/member-counts';
import { twoFactorState } from '../../authenticator-state';
import type { GateService, MemberFacts } from '../../gate.service';
import { lockPairFactors } from '../../pair-factors';
import type { ReauthenticationService } from '../../reauthentication.service';
import { discardPendingEnrolments, grantStanding, passedChallenge } from '../../standing';
import { pairStatusIn } from '../../two-factor-status';
import type { TwoFactorStatus } from '../../two-factor.types';
import type { RecoveryCodeStore } from '../recovery-code/recovery-code-store';
import { openCeremony, pairPasskeys, PasskeyOptionsView, spendCeremony, storeCeremony, toStored } from './passkey-ceremonies';
import { claimedChallenge, encodeHandle, newUserHandleBytes, registrationOptions, RelyingParty, verifyRegistration } from './webauthn';

export interface AddedPasskey {
  passkey: PasskeyEntity;
  recoveryCodes: string[];
  status: TwoFactorStatus;
}

/**
 * Passkeys of one (agent, tenant) pair as factors it has: registration (options, then the attestation), rename
 * and removal. Answering a challenge with one is passkey-assertion.service.ts.
 */
export class PasskeyEnrolmentService {
  constructor(
    private readonly db: Database,
    private readonly clock: Clock,
    private readonly gate: GateService,
    private readonly reauth: ReauthenticationService,
    private readonly recoveryCodes: RecoveryCodeStore,
    private readonly rp: RelyingParty,
  ) {}

  /**
   * State first, then the password. Open to an agent that must still enrol (as TOTP enrolment is), but a pair
   * that is already ENABLED adds a factor only from a session that passed this tenant's challenge: a password
   * alone must not be enough to register an attacker's passkey.
   */
  async beginRegistration(session: SessionIdentity, loaders: Loaders, tenantId: string, password: string): Promise<PasskeyOptionsView> {
    const facts = await this.registrationFacts(loaders, tenantId);
    await this.reauth.reauthenticate(session, tenantId, password);

    const now = this.clock.now();
    const agent = await this.db.manager.findOneByOrFail(AgentEntity, { id: session.agentId });
    const userHandle = await this.userHandle(tenantId, session.agentId);
    const existing = await pairPasskeys(this.db, tenantId, session.agentId);
    const options = await registrationOptions(this.rp, {
      rpName: facts.tenant.issuer,
      userHandle,
      userName: agent.email,
      userDisplayName: agent.name,
      existing: existing.map(toStored),
    });
    const expiresAt = await storeCeremony(this.db, session, tenantId, 'REGISTRATION', null, options.challenge, now);
    return { options: options as unknown as Record<string, unknown>, expiresAt };
  }

  /**
   * Verifies the attestation against a challenge this session was given for this tenant, then stores the
   * credential. A credential id registered anywhere already is refused. The pair's first factor turns it ENABLED
   * and issues recovery codes (and standing for this session, as confirming TOTP does; other sessions' unfinished
   * enrolments are discarded); later factors issue none.
   * A refused response changes nothing, so the person can try again with the same options.
   */
  async finishRegistration(session: SessionIdentity, loaders: Loaders, tenantId: string, name: string, credential: Record<string, unknown>): Promise<AddedPasskey> {
    const facts = await this.registrationFacts(loaders, tenantId);
    const now = this.clock.now();
    const challenge = await openCeremony(this.db.manager, session, 'REGISTRATION', claimedChallenge(credential), { tenantId }, now);
    assertThat(challenge, 'PASSKEY_REJECTED');
    const made = await verifyRegistration(this.rp, credential, challenge.challenge);
    assertThat(made, 'PASSKEY_REJECTED');
    const isTaken = await this.db.manager.existsBy(PasskeyEntity, { credentialId: made.credentialId });
    assertThat(!isTaken, 'PASSKEY_REJECTED', { reason: 'ALREADY_REGISTERED' });

    try {
      return await this.db.transaction(async (tx) => {
        assertThat(await spendCeremony(tx, challenge.id, now), 'PASSKEY_REJECTED');
        const passkey: PasskeyEntity = {
          id: newId(),
          tenantId,
          agentId: session.agentId,
          credentialId: made.credentialId,
          publicKey: made.publicKey,
          counter: made.counter,
          transports: JSON.stringify(made.transports),
          backedUp: made.backedUp,
          deviceType: made.deviceType,
          name: name.trim(),
          createdAt: now,
          lastUsedAt: null,
        };
        await tx.insert(PasskeyEntity, passkey);
        const isFirstFactor = await this.enablePair(tx, facts, session.agentId, now);
        const codes = isFirstFactor ? await this.recoveryCodes.replaceSet(tx, tenantId, session.agentId, facts.tenant.recoveryCodeFormat, now) : [];
        const audit = { tenantId, actorAgentId: session.agentId, subjectAgentId: session.agentId, method: 'PASSKEY' as const };
        if (isFirstFactor) {
          await discardPendingEnrolments(tx, tenantId, session.agentId, session.sessionId);
          await grantStanding(tx, session, tenantId, passedChallenge('ENROLMENT', now), now);
          await recordTenantEntry(tx, session, tenantId);
          await countTwoFactorEnabled(tx, tenantId, session.agentId);
          // As for TOTP, without a method: PASSKEY_ADDED right after it says which factor turned 2FA on.
          await recordAudit(tx, now, session, { ...audit, method: null, action: 'TWO_FACTOR_ENABLED' });
        }
        await recordAudit(tx, now, session, { ...audit, action: 'PASSKEY_ADDED' });
        return { passkey, recoveryCodes: codes, status: await pairStatusIn(tx, tenantId, session.agentId, now) };
      });
    } catch (error) {
      // The same credential finished twice at once, or a racing first factor created the pair's row.
      if (isUniqueViolation(error)) throw new DomainError('PASSKEY_REJECTED', { reason: 'ALREADY_REGISTERED' });
      throw error;
    }
  }

  async rename(session: SessionIdentity, tenantId: string, passkeyId: string, name: string): Promise<PasskeyEntity> {
    const now = this.clock.now();
    return this.db.transaction(async (tx) => {
      const renamed = await tx.update(PasskeyEntity, { id: passkeyId, tenantId, agentId: session.agentId }, { name: name.trim() });
      assertThat(renamed.affected === 1, 'NOT_FOUND');
      await recordAudit(tx, now, session, { tenantId, action: 'PASSKEY_RENAMED', actorAgentId: session.agentId, subjectAgentId: session.agentId, method: 'PASSKEY' });
      return tx.findOneByOrFail(PasskeyEntity, { id: passkeyId });
    });
  }

  /** State (the passkey, the last factor), then the password; the last-factor rule is decided again under the pair's lock. */
  async remove(session: SessionIdentity, facts: MemberFacts, passkeyId: string, password: string): Promise<TwoFactorStatus> {
    const tenantId = facts.tenant.id;
    const passkey = await this.db.manager.findOneBy(PasskeyEntity, { id: passkeyId, tenantId, agentId: session.agentId });
    assertThat(passkey, 'NOT_FOUND');
    const pair = facts.authenticator;
    assertThat(pair && (pair.totpEnabled || pair.passkeyCount > 1), 'LAST_FACTOR');
    await this.reauth.reauthenticate(session, tenantId, password);
    const now = this.clock.now();
    return this.db.transaction(async (tx) => {
      const factors = await lockPairFactors(this.db, tx, pair.id, tenantId, session.agentId);
      assertThat(factors.totpEnabled || factors.passkeyCount > 1, 'LAST_FACTOR');
      const removed = await tx.delete(PasskeyEntity, { id: passkeyId, tenantId, agentId: session.agentId });
      assertThat(removed.affected === 1, 'NOT_FOUND');
      await recordAudit(tx, now, session, { tenantId, action: 'PASSKEY_REMOVED', actorAgentId: session.agentId, subjectAgentId: session.agentId, method: 'PASSKEY' });
      return pairStatusIn(tx, tenantId, session.agentId, now);
    });
  }

  /** Tenant 2FA on, and (for an ENABLED pair) this session passed the tenant's challenge. */
  private async registrationFacts(loaders: Loaders, tenantId: string): Promise<MemberFacts> {
    const facts = await this.gate.member(loaders, tenantId);
    assertThat(facts.tenant.twoFactorEnabled, 'TENANT_TWO_FACTOR_DISABLED');
    const isEnabled = twoFactorState(facts.authenticator, this.clock.now()) === 'ENABLED';
    assertThat(!isEnabled || facts.hasStanding, 'TWO_FACTOR_REQUIRED');
    return facts;
  }

  /** The pair's first passkey or TOTP turns it ENABLED: true when this call did (racing first factors: one wins). */
  private async enablePair(tx: Tx, facts: MemberFacts, agentId: string, now: Date): Promise<boolean> {
    const tenantId = facts.tenant.id;
    const existing = await tx.findOneBy(AuthenticatorEntity, { tenantId, agentId });
    if (!existing) {
      await tx.insert(AuthenticatorEntity, {
        id: newId(),
        tenantId,
        agentId,
        state: 'ENABLED',
        secretCiphertext: '',
        keyId: '',
        pendingExpiresAt: null,
        confirmedAt: now,
        lastUsedStep: null,
        consecutiveFailures: 0,
        lockedUntil: null,
        consecutiveLocks: 0,
        createdAt: now,
        pendingSessionId: null,
        pendingFailedAttempts: 0,
        totpEnabled: false,
      });
      return true;
    }
    // A pending TOTP secret of this session stays pending: it may still be confirmed as a second factor (another
    // session's is discarded with the pair's other pending enrolments).
    const enabled = await sqlExecute(tx, "UPDATE authenticators SET state = 'ENABLED', confirmed_at = ? WHERE id = ? AND state = 'PENDING'", [now, existing.id]);
    return enabled === 1;
  }

  /** The pair's opaque WebAuthn user handle, made once (a racing first call loses the conditional UPDATE and reads the winner's). */
  private async userHandle(tenantId: string, agentId: string): Promise<string> {
    const fresh = encodeHandle(await newUserHandleBytes());
    await this.db.autocommit((manager) =>
      sqlExecute(manager, 'UPDATE tenant_memberships SET webauthn_user_id = ? WHERE tenant_id = ? AND agent_id = ? AND webauthn_user_id IS NULL', [fresh, tenantId, agentId]),
    );
    const [row] = await sqlRows(this.db.manager, 'SELECT webauthn_user_id FROM tenant_memberships WHERE tenant_id = ? AND agent_id = ?', [tenantId, agentId]);
    return row.webauthn_user_id as string;
  }
}
