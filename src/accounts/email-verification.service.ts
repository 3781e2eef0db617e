import type { Clock } from '../clock';
import { Database, sqlExecute, Tx } from '../db/database';
import { AgentEntity } from '../db/entities';
import { assertThat } from '../errors/domain-error';
import type { MailQueue } from '../mail/mail-queue';
import { emailVerification } from '../mail/templates/email-verification';
import type { ClientRateLimiter } from '../rate-limits/client-rate-limiter';
import { claimAccountToken, issueAccountToken } from './account-tokens';
import type { SessionIdentity } from './session-identity';

/**
 * E-mail verification: a single-use link (24 hours) to the agent's own address; following it marks the address
 * verified. Sign-up sends the first; `sendVerificationEmail` a fresh one, which supersedes the older.
 */
export class EmailVerificationService {
  constructor(
    private readonly db: Database,
    private readonly clock: Clock,
    private readonly mail: MailQueue,
    private readonly rateLimiter: ClientRateLimiter,
  ) {}

  /** A fresh link to the caller's address; an address already verified gets none (nothing to do). */
  async send(session: SessionIdentity): Promise<void> {
    const agent = await this.db.manager.findOneBy(AgentEntity, { id: session.agentId });
    assertThat(agent, 'UNAUTHENTICATED');
    if (agent.emailVerifiedAt) return;
    // Each call sends a message to the address: the same budget per address as password-reset requests.
    await this.rateLimiter.spendForAddress('account-mail', agent.email);
    const now = this.clock.now();
    await this.db.transaction((tx) => this.sendWithin(tx, agent, now));
  }

  /** Issues the link and writes its message in the caller's transaction (sign-up's). */
  async sendWithin(tx: Tx, agent: Pick<AgentEntity, 'id' | 'email' | 'name'>, now: Date): Promise<void> {
    const { token, expiresAt } = await issueAccountToken(tx, agent.id, 'EMAIL_VERIFICATION', now);
    await this.mail.enqueue(tx, emailVerification.message(agent.email, { name: agent.name, token, expiresAt: expiresAt.toISOString() }), now);
  }

  /** Spends the link (INVALID_TOKEN when wrong, used or expired) and answers the agent, now verified. */
  async verify(token: string): Promise<AgentEntity> {
    const now = this.clock.now();
    return this.db.transaction(async (tx) => {
      const agentId = await claimAccountToken(tx, token, 'EMAIL_VERIFICATION', now);
      await markEmailVerified(tx, agentId, now);
      return tx.findOneByOrFail(AgentEntity, { id: agentId });
    });
  }
}

/**
 * The agent showed it reads its address (a verification link, an invitation's, a reset's): verified from now on,
 * keeping the first such moment.
 */
export async function markEmailVerified(tx: Tx, agentId: string, now: Date): Promise<void> {
  await sqlExecute(tx, 'UPDATE agents SET email_verified_at = ? WHERE id = ? AND email_verified_at IS NULL', [now, agentId]);
}
