import type { SessionIdentity } from '../../../accounts/session-identity';
import { recordTenantEntry } from '../../../accounts/tenant-entry';
import { recordAudit } from '../../../audit/audit-log';
import type { Clock } from '../../../clock';
import type { Loaders } from '../../../loaders';
import { Database, isUniqueViolation, sqlExecute, sqlRows, Tx } from '../../../db/database';
import { AgentEntity, AuthenticatorEntity, PasskeyEntity, WebAuthnChallengeEntity } from '../../../db/entities';
import type { WebAuthnPurpose } from '../../../db/entities/webauthn-challenge.entity';
import { newId } from '../../../db/ids';
import { rawDate, rawInt } from '../../../db/raw';
import { DomainError, assertThat } from '../../../errors/domain-error';
import { countTwoFactorEnabled } from '../../../tenancy/member-counts';
import { twoFactorState } from '../../authenticator-state';
import type { GateService, MemberFacts } from '../../gate.service';
import { CHALLENGE_MAX_FAILED_ATTEMPTS } from '../../limits';
import type { ReauthenticationService } from '../../reauthentication.service';
import type { RecoveryCodeStore } from '../recovery-code/recovery-code-store';
import { discardPendingEnrolments, grantStanding } from '../../standing';
import { pairStatusIn } from '../../two-factor-status';
import { lockPairFactors } from '../../pair-factors';
import { assertTwoFactorNotLocked } from '../../lockout';
import type { TwoFactorStatus } from '../../two-factor.types';
import {
  assertedCredentialId,
  assertionOptions,
  claimedChallenge,
  encodeHandle,
  newUserHandleBytes,
  registrationOptions,
  RelyingParty,
  StoredCredential,
  verifyAssertion,
  verifyRegistration,
  WEBAUTHN_CHALLENGE_LIFETIME_MS,
} from './webauthn';

export interface PasskeyOptionsView {
  options: Record<string, unknown>;
  expiresAt: Date;
}

export interface AddedPasskey {
  passkey: PasskeyEntity;
  recoveryCodes: string[];
  status: TwoFactorStatus;
}

/** What the challenge service needs of a challenge to judge an assertion against it. */
export interface AssertedChallenge {
  id: string;
  sessionId: string;
  tenantId: string;
  agentId: string;
  workspaceId: string | null;
}

export type AssertionClaim = 'accepted' | 'rejected' | 'stale-counter';

/**
 * Passkeys of one (agent, tenant) pair: registration (options, then the attestation), rename, removal, and the
 * assertion half of a challenge (options here; the answer is judged by the challenge service, which calls
 * `claimAssertion` inside its transaction so a passkey counts exactly like a code).
 */
export class PasskeyService {
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
    const existing = await this.pairPasskeys(tenantId, session.agentId);
    const options = await registrationOptions(this.rp, {
      rpName: facts.tenant.issuer,
      userHandle,
      userName: agent.email,
      userDisplayName: agent.name,
      existing: existing.map(toStored),
    });
    const expiresAt = await this.storeChallenge(session, tenantId, 'REGISTRATION', null, options.challenge, now);
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
    const challenge = await this.openCeremony(session, 'REGISTRATION', claimedChallenge(credential), { tenantId }, now);
    assertThat(challenge, 'PASSKEY_REJECTED');
    const made = await verifyRegistration(this.rp, credential, challenge.challenge);
    assertThat(made, 'PASSKEY_REJECTED');
    const isTaken = await this.db.manager.existsBy(PasskeyEntity, { credentialId: made.credentialId });
    assertThat(!isTaken, 'PASSKEY_REJECTED', { reason: 'ALREADY_REGISTERED' });

    try {
      return await this.db.transaction(async (tx) => {
        assertThat(await this.spendCeremony(tx, challenge.id, now), 'PASSKEY_REJECTED');
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
          await grantStanding(tx, session, tenantId, 'ENROLMENT', now);
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

  /** Options for navigator.credentials.get, for an open challenge of this session: only the pair's own passkeys. */
  async beginAssertion(session: SessionIdentity, challengeId: string): Promise<PasskeyOptionsView> {
    const now = this.clock.now();
    const [challenge] = await sqlRows(
      this.db.manager,
      `SELECT c.id, c.tenant_id, c.agent_id, c.state, c.failed_attempts, c.expires_at, a.locked_until
         FROM challenges c LEFT JOIN authenticators a ON a.tenant_id = c.tenant_id AND a.agent_id = c.agent_id
        WHERE c.id = ? AND c.session_id = ?`,
      [challengeId, session.sessionId],
    );
    assertThat(challenge, 'NOT_FOUND');
    const isOpen = challenge.state === 'OPEN' && rawDate(challenge.expires_at)! > now && rawInt(challenge.failed_attempts) < CHALLENGE_MAX_FAILED_ATTEMPTS;
    assertThat(isOpen, 'CHALLENGE_INVALIDATED');
    assertTwoFactorNotLocked(rawDate(challenge.locked_until), now);
    const tenantId = challenge.tenant_id as string;
    const passkeys = await this.pairPasskeys(tenantId, session.agentId);
    assertThat(passkeys.length > 0, 'PASSKEY_REJECTED');
    const options = await assertionOptions(this.rp, passkeys.map(toStored));
    const optionsExpireAt = await this.storeChallenge(session, tenantId, 'ASSERTION', challengeId, options.challenge, now);
    return { options: options as unknown as Record<string, unknown>, expiresAt: optionsExpireAt };
  }

  /**
   * Inside the challenge service's transaction: spends the WebAuthn challenge this assertion names (it must be
   * this session's, for this very second-factor challenge, unused and unexpired), finds the credential among the
   * pair's passkeys only, verifies it, and moves the counter on with a conditional UPDATE (so one assertion
   * replayed through two processes passes at most once). Anything else is a rejection, counted like a wrong code.
   */
  async claimAssertion(tx: Tx, session: SessionIdentity, challenge: AssertedChallenge, credential: Record<string, unknown>, now: Date): Promise<AssertionClaim> {
    const ceremony = await this.openCeremony(challenge, 'ASSERTION', claimedChallenge(credential), { challengeId: challenge.id }, now, tx);
    if (!ceremony || !(await this.spendCeremony(tx, ceremony.id, now))) return 'rejected';
    const credentialId = assertedCredentialId(credential);
    if (!credentialId) return 'rejected';
    const passkey = await tx.findOneBy(PasskeyEntity, { credentialId, tenantId: challenge.tenantId, agentId: challenge.agentId });
    if (!passkey) return 'rejected'; // unknown, another agent's, or registered in another tenant
    const stored = toStored(passkey);
    const outcome = await verifyAssertion(this.rp, credential, ceremony.challenge, stored);
    if (!outcome.verified) {
      if (outcome.reason === 'counter') {
        await recordAudit(tx, now, session, { tenantId: challenge.tenantId, action: 'PASSKEY_COUNTER_STALE', actorAgentId: challenge.agentId, subjectAgentId: challenge.agentId, workspaceId: challenge.workspaceId, method: 'PASSKEY' });
        return 'stale-counter';
      }
      return 'rejected';
    }
    const moved = await sqlExecute(
      tx,
      'UPDATE passkeys SET counter = ?, backed_up = ?, last_used_at = ? WHERE id = ? AND (counter < ? OR (counter = 0 AND ? = 0))',
      [outcome.newCounter, outcome.backedUp, now, passkey.id, outcome.newCounter, outcome.newCounter],
    );
    return moved === 1 ? 'accepted' : 'stale-counter';
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

  private pairPasskeys(tenantId: string, agentId: string): Promise<PasskeyEntity[]> {
    return this.db.manager.find(PasskeyEntity, { where: { tenantId, agentId }, order: { createdAt: 'ASC', id: 'ASC' } });
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

  /** Stores a ceremony's challenge (and drops this session's expired ones); answers when it expires. */
  private async storeChallenge(session: SessionIdentity, tenantId: string, purpose: WebAuthnPurpose, challengeId: string | null, challenge: string, now: Date): Promise<Date> {
    const expiresAt = new Date(now.getTime() + WEBAUTHN_CHALLENGE_LIFETIME_MS);
    await this.db.transaction(async (tx) => {
      await sqlExecute(tx, 'DELETE FROM webauthn_challenges WHERE session_id = ? AND expires_at <= ?', [session.sessionId, now]);
      await tx.insert(WebAuthnChallengeEntity, {
        id: newId(),
        sessionId: session.sessionId,
        tenantId,
        agentId: session.agentId,
        purpose,
        challengeId,
        challenge,
        expiresAt,
        usedAt: null,
        createdAt: now,
      });
    });
    return expiresAt;
  }

  /** The unused, unexpired ceremony a response names, if it is this session's and for this tenant or challenge. */
  private async openCeremony(
    session: Pick<SessionIdentity, 'sessionId'>,
    purpose: WebAuthnPurpose,
    challenge: string | null,
    scope: { tenantId: string } | { challengeId: string },
    now: Date,
    tx: Tx = this.db.manager,
  ): Promise<WebAuthnChallengeEntity | null> {
    if (!challenge) return null;
    const found = await tx.findOneBy(WebAuthnChallengeEntity, { challenge, sessionId: session.sessionId, purpose, ...scope });
    return found && found.usedAt === null && found.expiresAt > now ? found : null;
  }

  /** Single use: the ceremony is spent by exactly one statement, in any process. */
  private async spendCeremony(tx: Tx, id: string, now: Date): Promise<boolean> {
    return (await sqlExecute(tx, 'UPDATE webauthn_challenges SET used_at = ? WHERE id = ? AND used_at IS NULL AND expires_at > ?', [now, id, now])) === 1;
  }
}

function toStored(passkey: PasskeyEntity): StoredCredential {
  return { credentialId: passkey.credentialId, publicKey: passkey.publicKey, counter: rawInt(passkey.counter), transports: JSON.parse(passkey.transports) as string[] };
}

