import type { SessionIdentity } from '../../../accounts/session-identity';
import { recordAudit } from '../../../audit/audit-log';
import type { Clock } from '../../../clock';
import { Database, sqlRows } from '../../../db/database';
import { rawInt } from '../../../db/raw';
import { assertThat } from '../../../errors/domain-error';
import { twoFactorState } from '../../authenticator-state';
import type { IssuedRecoveryCodes } from '../../enrolment.service';
import type { MemberFacts } from '../../gate.service';
import type { ReauthenticationService } from '../../reauthentication.service';
import type { RecoveryCodeStore } from './recovery-code-store';
import { toTwoFactorStatus } from '../../two-factor-status';

/** An agent's unused recovery codes shown again, where the tenant keeps them VIEWABLE. */
export class RecoveryCodeViewService {
  constructor(
    private readonly db: Database,
    private readonly clock: Clock,
    private readonly reauth: ReauthenticationService,
    private readonly recoveryCodes: RecoveryCodeStore,
  ) {}

  /**
   * The tenant's setting and the agent's state are decided before the password, so no answer confirms a
   * guessed password where the codes could not be shown anyway. Codes issued while the tenant showed them once
   * have no copy and are not listed (regenerating issues a viewable set).
   */
  async view(session: SessionIdentity, facts: MemberFacts, password: string): Promise<IssuedRecoveryCodes> {
    assertThat(facts.tenant.recoveryCodeVisibility === 'VIEWABLE', 'RECOVERY_CODES_NOT_VIEWABLE');
    const now = this.clock.now();
    const authenticator = facts.authenticator;
    assertThat(authenticator && twoFactorState(authenticator, now) === 'ENABLED', 'TWO_FACTOR_NOT_ENABLED');
    const tenantId = facts.tenant.id;
    await this.reauth.reauthenticate(session, tenantId, password);

    return this.db.transaction(async (tx) => {
      const codes = await this.recoveryCodes.viewableCodes(tx, tenantId, session.agentId);
      const [{ remaining }] = await sqlRows(tx, 'SELECT COUNT(*) AS remaining FROM recovery_codes WHERE tenant_id = ? AND agent_id = ? AND used_at IS NULL', [
        tenantId,
        session.agentId,
      ]);
      await recordAudit(tx, now, session, { tenantId, action: 'RECOVERY_CODES_VIEWED', actorAgentId: session.agentId, subjectAgentId: session.agentId });
      return { codes, status: toTwoFactorStatus({ ...authenticator, recoveryCodesRemaining: rawInt(remaining) }, now, { tenantId, agentId: session.agentId }) };
    });
  }
}
