import type { Clock } from '../clock';
import { hashPassword } from '../crypto/passwords';
import { Database, sqlExecute, sqlRows } from '../db/database';
import { AgentEntity } from '../db/entities';
import type { MailOutbox } from '../mail/outbox';
import type { SecurityNotices } from '../mail/security-notices';
import { passwordChanged } from '../mail/templates/password-changed';
import { passwordReset } from '../mail/templates/password-reset';
import { passwordResetLink } from '../mail/templates/password-reset-link';
import type { ClientRateLimiter } from '../rate-limits/client-rate-limiter';
import type { Loaders } from '../loaders';
import { forgetRememberedDevices } from '../remembered-devices/forget-devices';
import type { GateService } from '../two-factor/gate.service';
import type { ReauthenticationService } from '../two-factor/reauthentication.service';
import { AccountService, IssuedSession, SignInOrigin } from './account.service';
import { normalizeEmail } from './email-address';
import { claimAccountToken, dropAccountTokens, issueAccountToken } from './account-tokens';
import { markEmailVerified } from './email-verification.service';
import type { SessionIdentity } from './session-identity';

/**
 * Changing a password (signed in, a recent second factor and the current password re-checked) and resetting a
 * forgotten one (a single-use link to the address). Either way the new password is hashed before any transaction
 * opens, every other way into the account ends with it (sessions, their standing, remembered devices), and the
 * agent is told by e-mail. Second factors stay as they are.
 */
export class PasswordService {
  constructor(
    private readonly db: Database,
    private readonly clock: Clock,
    private readonly accounts: AccountService,
    private readonly reauth: ReauthenticationService,
    private readonly rateLimiter: ClientRateLimiter,
    private readonly mail: Pick<MailOutbox, 'enqueueToAgent'>,
    private readonly notices: SecurityNotices,
    private readonly gate: GateService,
  ) {}

  /**
   * A recent second factor (a privileged action), then the current password re-checked; then the new one in,
   * every other session and every remembered device out, and a notice.
   */
  async change(session: SessionIdentity, loaders: Loaders, currentPassword: string, newPassword: string, origin: SignInOrigin): Promise<void> {
    await this.assertRecentSecondFactor(session, loaders);
    await this.reauthenticate(session, currentPassword);
    const passwordHash = await hashPassword(newPassword);
    const now = this.clock.now();
    await this.db.transaction(async (tx) => {
      await sqlExecute(tx, 'UPDATE agents SET password_hash = ? WHERE id = ?', [passwordHash, session.agentId]);
      await this.accounts.endSessions(tx, session.agentId, session.sessionId, now);
      await forgetRememberedDevices(tx, { agentId: session.agentId });
      await this.notices.notifyAccount(tx, { agentId: session.agentId }, passwordChanged, origin, now);
    });
  }

  /**
   * changePassword's privileged check goes here, and only here: an agent with 2FA ENABLED in any tenant whose 2FA
   * is on needs a pass by challenge, in this session, of one of those tenants within the privileged max age
   * (TWO_FACTOR_REQUIRED with `maxAgeSeconds` and `tenantIds` otherwise), so that a stolen password and session
   * alone cannot replace the password; an agent with no second factor in force anywhere needs only the password.
   * Decided before the password, as state errors are, so the answer never confirms a guessed one.
   */
  private async assertRecentSecondFactor(session: SessionIdentity, loaders: Loaders): Promise<void> {
    const memberships = await sqlRows<{ tenant_id: string }>(this.db.manager, 'SELECT tenant_id FROM tenant_memberships WHERE agent_id = ?', [session.agentId]);
    await this.gate.assertPrivilegedInAnyTenant(loaders, memberships.map((membership) => membership.tenant_id));
  }

  /**
   * The re-authentication rules (5 wrong per 15 minutes, REAUTH_FAILED) on the current password. A password
   * belongs to no tenant: its REAUTH_FAILED goes to the agent's oldest tenant, whose admins see the agent's other
   * re-authentications too. An agent in no tenant has no audit log to write one in; its attempts spend a budget
   * of the same size per agent (every attempt counts), so the current password cannot be guessed faster either way.
   */
  private async reauthenticate(session: SessionIdentity, password: string): Promise<void> {
    const [membership] = await sqlRows<{ tenant_id: string }>(this.db.manager, 'SELECT tenant_id FROM tenant_memberships WHERE agent_id = ? ORDER BY id LIMIT 1', [
      session.agentId,
    ]);
    if (membership) return this.reauth.reauthenticate(session, membership.tenant_id, password);
    await this.rateLimiter.spendForActor('password-check', session.agentId);
    await this.accounts.assertPassword(session.agentId, password);
  }

  /**
   * Always answers (true); a link goes out only when an account has the address. Both cases spend the same
   * budgets (per client IP, per address) and run the same statements with the same work between them (the
   * token, its hash, the sealed message, which the outbox writes only when an agent has the address), so neither
   * the answer nor its time tells whether the address has an account.
   */
  async requestReset(email: string, clientIp: string): Promise<void> {
    const address = normalizeEmail(email);
    await this.rateLimiter.spend('account-mail', clientIp);
    await this.rateLimiter.spendForAddress('account-mail', address);
    const agent = await this.accounts.agentByEmail(address);
    const now = this.clock.now();
    await this.db.transaction(async (tx) => {
      const { token, expiresAt } = await issueAccountToken(tx, agent?.id ?? null, 'PASSWORD_RESET', now);
      const message = passwordResetLink.message(address, { token, expiresAt: expiresAt.toISOString() });
      await this.mail.enqueueToAgent(tx, { email: address }, message.template, message.data, now);
    });
  }

  /**
   * Spends the link and sets the new password; every session ends (their standing with them), a new one begins,
   * and the failed sign-ins no longer count. Second factors are untouched: the new session holds no tenant's
   * standing, so the next tenant that asks for its second factor still does. Following the link also proves the
   * address.
   */
  async reset(token: string, newPassword: string, origin: SignInOrigin): Promise<IssuedSession> {
    const passwordHash = await hashPassword(newPassword);
    const now = this.clock.now();
    const issued = await this.db.transaction(async (tx) => {
      const agentId = await claimAccountToken(tx, token, 'PASSWORD_RESET', now);
      await sqlExecute(tx, 'UPDATE agents SET password_hash = ? WHERE id = ?', [passwordHash, agentId]);
      await markEmailVerified(tx, agentId, now);
      await dropAccountTokens(tx, agentId, 'PASSWORD_RESET');
      await this.accounts.endSessions(tx, agentId, null, now);
      await forgetRememberedDevices(tx, { agentId });
      await this.notices.notifyAccount(tx, { agentId }, passwordReset, origin, now);
      return this.accounts.startSession(tx, await tx.findOneByOrFail(AgentEntity, { id: agentId }), now, origin);
    });
    await this.accounts.clearSignInLock(issued.agent);
    return issued;
  }
}
