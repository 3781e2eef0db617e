import type { SessionIdentity } from '../accounts/session-identity';
import { recordAudit } from '../audit/audit-log';
import type { Clock } from '../clock';
import type { Loaders } from '../loaders';
import { Database, sqlExecute, Tx } from '../db/database';
import { assertThat } from '../errors/domain-error';
import { pairKey } from '../tenancy/pair-key';
import { StatusSnapshot, twoFactorState } from './authenticator-state';
import type { SecondFactors } from './factors/registry';
import type { RecoveryCodeStore } from './factors/recovery-code/recovery-code-store';
import type { MemberFacts } from './gate.service';
import type { ReauthenticationService } from './reauthentication.service';
import { forgetRememberedDevices } from '../remembered-devices/forget-devices';
import { revokeStandings } from './standing';
import { pairStatusIn, toTwoFactorStatus } from './two-factor-status';
import { lockPairFactors } from './pair-factors';
import { uncountTwoFactorBeforeRemoval } from '../tenancy/member-counts';
import type { TwoFactorStatus } from './two-factor.types';

export interface IssuedRecoveryCodes {
  codes: string[];
  status: TwoFactorStatus;
}

/**
 * An agent's second factors in one tenant, across factors: the status, regenerating recovery codes, disabling,
 * and the admin reset. Enrolling TOTP is factors/totp/totp-enrolment.service.ts.
 */
export class EnrolmentService {
  constructor(
    private readonly db: Database,
    private readonly clock: Clock,
    private readonly reauth: ReauthenticationService,
    private readonly recoveryCodes: RecoveryCodeStore,
    private readonly factors: SecondFactors,
  ) {}

  async status(tenantId: string, agentId: string, loaders: Loaders): Promise<TwoFactorStatus> {
    const snapshot = await loaders.twoFactorStatus.load(pairKey(tenantId, agentId));
    return toTwoFactorStatus(snapshot, this.clock.now(), { tenantId, agentId });
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
      await recordAudit(tx, now, session, { tenantId, action: 'RECOVERY_CODES_REGENERATED', actorAgentId: session.agentId, subjectAgentId: session.agentId });
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
      await recordAudit(tx, now, session, { tenantId, action: 'TOTP_REMOVED', actorAgentId: session.agentId, subjectAgentId: session.agentId, method: 'TOTP' });
      return pairStatusIn(tx, tenantId, session.agentId, now);
    });
  }

  /** State, then the password re-checked; back to NOT_CONFIGURED in this tenant only, its remembered devices forgotten. */
  async disable(session: SessionIdentity, facts: MemberFacts, password: string): Promise<TwoFactorStatus> {
    const now = this.clock.now();
    assertThat(twoFactorState(facts.authenticator, now) !== 'NOT_CONFIGURED', 'TWO_FACTOR_NOT_ENABLED');
    await this.reauth.reauthenticate(session, facts.tenant.id, password);
    await this.db.transaction(async (tx) => {
      await this.removeAuthenticator(tx, facts.tenant.id, session.agentId);
      await forgetRememberedDevices(tx, { tenantId: facts.tenant.id, agentId: session.agentId });
      await recordAudit(tx, now, session, { tenantId: facts.tenant.id, action: 'TWO_FACTOR_DISABLED', actorAgentId: session.agentId, subjectAgentId: session.agentId });
    });
    return toTwoFactorStatus(null, now);
  }

  /** Admin reset: authenticator and codes gone in this tenant, and every session of the agent loses its standing here. */
  async reset(actor: SessionIdentity, tenantId: string, agentId: string): Promise<TwoFactorStatus> {
    const now = this.clock.now();
    await this.db.transaction(async (tx) => {
      await this.removeAuthenticator(tx, tenantId, agentId);
      await revokeStandings(tx, tenantId, agentId, now);
      await recordAudit(tx, now, actor, { tenantId, action: 'TWO_FACTOR_RESET', actorAgentId: actor.agentId, subjectAgentId: agentId });
    });
    return toTwoFactorStatus(null, now);
  }

  /** Every factor's rows of the pair, the later factors first (see registry.ts). */
  private async removeAuthenticator(tx: Tx, tenantId: string, agentId: string): Promise<void> {
    await uncountTwoFactorBeforeRemoval(this.db, tx, tenantId, agentId);
    await this.factors.removeAll(tx, tenantId, agentId);
  }
}
