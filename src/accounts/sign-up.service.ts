import type { Clock } from '../clock';
import type { SignUpSetting } from '../config';
import type { Database } from '../db/database';
import { AgentEntity } from '../db/entities';
import { assertThat } from '../errors/domain-error';
import { SpecificMessages } from '../errors/error-codes';
import type { InvitationService } from '../invitations/invitation.service';
import type { AccountService, IssuedSession, NewAccount, SignInOrigin } from './account.service';
import type { EmailVerificationService } from './email-verification.service';

/**
 * Sign-up under the gateway's SIGN_UP setting:
 *
 * | SIGN_UP          | no invitation token | a pending invitation's token for this address |
 * |------------------|---------------------|-----------------------------------------------|
 * | open             | account, unverified | account, verified, member with the role       |
 * | invitation-only  | SIGN_UP_CLOSED      | account, verified, member with the role       |
 * | closed           | SIGN_UP_CLOSED      | SIGN_UP_CLOSED                                 |
 *
 * A token that is wrong, used, expired or sent to another address is INVALID_TOKEN. An unverified account gets a
 * verification link; an invitation's link proved the address already. The mode is decided before anything else,
 * and the token before the address is tried, so neither answer depends on whether the address has an account.
 */
export class SignUpService {
  constructor(
    private readonly db: Database,
    private readonly clock: Clock,
    readonly mode: SignUpSetting,
    private readonly accounts: AccountService,
    private readonly verification: EmailVerificationService,
    private readonly invitations: InvitationService,
  ) {}

  async signUp(input: NewAccount, invitationToken: string | null | undefined, origin: SignInOrigin): Promise<IssuedSession> {
    assertThat(this.mode !== 'closed', 'SIGN_UP_CLOSED');
    assertThat(this.mode === 'open' || invitationToken, 'SIGN_UP_CLOSED', {}, SpecificMessages.INVITATION_NEEDED);
    const now = this.clock.now();
    const agent = await this.accounts.newAgent(input, now);
    return this.accounts.refusingTakenAddress(() =>
      this.db.transaction(async (tx) => {
        if (invitationToken) {
          const invitation = await this.invitations.pendingByToken(tx, invitationToken, now);
          assertThat(invitation?.email === agent.email, 'INVALID_TOKEN', {}, invitation ? SpecificMessages.INVITATION_FOR_ANOTHER_ADDRESS : undefined);
          await tx.insert(AgentEntity, agent);
          await this.invitations.acceptWithin(tx, invitation, agent, origin, now);
        } else {
          await tx.insert(AgentEntity, agent);
          await this.verification.sendWithin(tx, agent, now);
        }
        const session = await this.accounts.startSession(tx, agent, now, origin);
        return { ...session, agent: await tx.findOneByOrFail(AgentEntity, { id: agent.id }) };
      }),
    );
  }
}
