import type { SessionIdentity } from '../../../accounts/session-identity';
import { recordAudit } from '../../../audit/audit-log';
import type { Clock } from '../../../clock';
import { Database, sqlExecute, sqlRows, Tx } from '../../../db/database';
import { PasskeyEntity } from '../../../db/entities';
import { rawDate, rawInt } from '../../../db/raw';
import { assertThat } from '../../../errors/domain-error';
import { CHALLENGE_MAX_FAILED_ATTEMPTS } from '../../limits';
import { assertTwoFactorNotLocked } from '../../lockout';
import { openCeremony, pairPasskeys, PasskeyOptionsView, spendCeremony, storeCeremony, toStored } from './passkey-ceremonies';
import { assertedCredentialId, assertionOptions, claimedChallenge, RelyingParty, verifyAssertion } from './webauthn';

/** What the answer needs of a challenge to judge an assertion against it. */
export interface AssertedChallenge {
  id: string;
  sessionId: string;
  tenantId: string;
  agentId: string;
  workspaceId: string | null;
}

export type AssertionClaim = 'accepted' | 'rejected' | 'stale-counter';

/**
 * The assertion half of a challenge: options for an open challenge, and `claimAssertion`, which the passkey
 * factor calls inside the answer's transaction so that a passkey counts exactly like a code.
 */
export class PasskeyAssertionService {
  constructor(
    private readonly db: Database,
    private readonly clock: Clock,
    private readonly rp: RelyingParty,
  ) {}

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
    const passkeys = await pairPasskeys(this.db, tenantId, session.agentId);
    assertThat(passkeys.length > 0, 'PASSKEY_REJECTED');
    const options = await assertionOptions(this.rp, passkeys.map(toStored));
    const optionsExpireAt = await storeCeremony(this.db, session, tenantId, 'ASSERTION', challengeId, options.challenge, now);
    return { options: options as unknown as Record<string, unknown>, expiresAt: optionsExpireAt };
  }

  /**
   * Inside the answer's transaction: spends the WebAuthn challenge this assertion names (it must be this
   * session's, for this very second-factor challenge, unused and unexpired), finds the credential among the
   * pair's passkeys only, verifies it, and moves the counter on with a conditional UPDATE (so one assertion
   * replayed through two processes passes at most once). Anything else is a rejection, counted like a wrong code.
   */
  async claimAssertion(tx: Tx, session: SessionIdentity, challenge: AssertedChallenge, credential: Record<string, unknown>, now: Date): Promise<AssertionClaim> {
    const ceremony = await openCeremony(tx, challenge, 'ASSERTION', claimedChallenge(credential), { challengeId: challenge.id }, now);
    if (!ceremony || !(await spendCeremony(tx, ceremony.id, now))) return 'rejected';
    const credentialId = assertedCredentialId(credential);
    if (!credentialId) return 'rejected';
    const passkey = await tx.findOneBy(PasskeyEntity, { credentialId, tenantId: challenge.tenantId, agentId: challenge.agentId });
    if (!passkey) return 'rejected'; // unknown, another agent's, or registered in another tenant
    const outcome = await verifyAssertion(this.rp, credential, ceremony.challenge, toStored(passkey));
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
}
