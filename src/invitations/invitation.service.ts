import { normalizeEmail } from '../accounts/email-address';
import { markEmailVerified } from '../accounts/email-verification.service';
import type { SessionIdentity } from '../accounts/session-identity';
import { recordAudit, RequestOrigin } from '../audit/audit-log';
import type { Clock } from '../clock';
import { hashLinkToken, newLinkToken } from '../crypto/tokens';
import { Database, isUniqueViolation, sqlExecute, sqlRows, Tx } from '../db/database';
import { AgentEntity, TenantEntity, TenantInvitationEntity, TenantMembershipEntity } from '../db/entities';
import type { TenantRoleName } from '../db/entities/tenant.entity';
import { newId } from '../db/ids';
import { rawEntity } from '../db/load-by-ids';
import { assertThat } from '../errors/domain-error';
import { SpecificMessages } from '../errors/error-codes';
import type { MailQueue } from '../mail/mail-queue';
import { invitation as invitationMail } from '../mail/templates/invitation';
import { addMembership } from '../tenancy/memberships';
import { mayOffer } from '../tenancy/roles';

/** An invitation's link works for a week. */
export const INVITATION_LIFETIME_MS = 7 * 24 * 3600_000;

/** Pending: neither accepted nor revoked, and not expired (`?` is now). */
const PENDING = 'i.accepted_at IS NULL AND i.revoked_at IS NULL AND i.expires_at > ?';

/** How an invitation is named when it is accepted: the link's token, or (by an agent whose address is verified) its id. */
export type InvitationRef = { token: string } | { invitationId: string };

/**
 * Invitations into a tenant: an OWNER or ADMIN invites an address (with or without an account) with a role, the
 * address gets a single-use link (7 days), and an agent with that address accepts it, signed in or signing up.
 * Nothing here looks up whether the address has an account, so inviting tells nothing about accounts.
 */
export class InvitationService {
  private readonly invitationRows: ReturnType<typeof rawEntity<TenantInvitationEntity>>;

  constructor(
    private readonly db: Database,
    private readonly clock: Clock,
    private readonly mail: MailQueue,
  ) {
    this.invitationRows = rawEntity(db, TenantInvitationEntity, 'i');
  }

  /**
   * Rank first (only an OWNER offers OWNER or ADMIN), then the invitation, its audit event and its message in one
   * transaction. An older pending invitation of the address to this tenant is revoked by the new one. An address
   * that is already a member is refused (BAD_USER_INPUT): the admin sees the members anyway.
   */
  async invite(actor: SessionIdentity, actorRole: TenantRoleName, tenantId: string, email: string, role: TenantRoleName): Promise<TenantInvitationEntity> {
    assertThat(mayOffer(actorRole, role), 'FORBIDDEN');
    const address = normalizeEmail(email);
    const token = newLinkToken();
    const now = this.clock.now();
    const invitation: TenantInvitationEntity = {
      id: newId(),
      tenantId,
      email: address,
      role,
      invitedByAgentId: actor.agentId,
      tokenHash: hashLinkToken(token),
      createdAt: now,
      expiresAt: new Date(now.getTime() + INVITATION_LIFETIME_MS),
      acceptedAt: null,
      acceptedByAgentId: null,
      revokedAt: null,
    };
    return this.db.transaction(async (tx) => {
      const [member] = await sqlRows(tx, 'SELECT 1 AS found FROM tenant_memberships m JOIN agents a ON a.id = m.agent_id WHERE m.tenant_id = ? AND a.email = ?', [tenantId, address]);
      assertThat(!member, 'BAD_USER_INPUT', { field: 'email', reason: 'ALREADY_MEMBER' }, SpecificMessages.ALREADY_MEMBER);
      await sqlExecute(tx, 'UPDATE tenant_invitations SET revoked_at = ? WHERE tenant_id = ? AND email = ? AND accepted_at IS NULL AND revoked_at IS NULL', [now, tenantId, address]);
      await tx.insert(TenantInvitationEntity, invitation);
      await recordAudit(tx, now, actor, { tenantId, action: 'MEMBER_INVITED', actorAgentId: actor.agentId });
      const [tenant, inviter] = await Promise.all([
        tx.findOneByOrFail(TenantEntity, { id: tenantId }),
        tx.findOneOrFail(AgentEntity, { select: { name: true }, where: { id: actor.agentId } }),
      ]);
      const data = { tenantName: tenant.name, invitedBy: inviter.name, role, token, expiresAt: invitation.expiresAt.toISOString() };
      await this.mail.enqueue(tx, invitationMail.message(address, data), now);
      return invitation;
    });
  }

  /** A pending invitation of this tenant stops working: NOT_FOUND for any other; FORBIDDEN when its role out-ranks an ADMIN. */
  async revoke(actor: SessionIdentity, actorRole: TenantRoleName, tenantId: string, invitationId: string): Promise<void> {
    const now = this.clock.now();
    await this.db.transaction(async (tx) => {
      const [invitation] = await this.select(tx, `i.id = ? AND i.tenant_id = ? AND ${PENDING}`, [invitationId, tenantId, now]);
      assertThat(invitation, 'NOT_FOUND');
      assertThat(mayOffer(actorRole, invitation.role), 'FORBIDDEN');
      const revoked = await sqlExecute(tx, 'UPDATE tenant_invitations SET revoked_at = ? WHERE id = ? AND accepted_at IS NULL AND revoked_at IS NULL', [now, invitation.id]);
      assertThat(revoked === 1, 'NOT_FOUND');
      await recordAudit(tx, now, actor, { tenantId, action: 'INVITATION_REVOKED', actorAgentId: actor.agentId });
    });
  }

  /** The tenant's pending invitations, newest first. */
  pendingOfTenant(tenantId: string): Promise<TenantInvitationEntity[]> {
    return this.select(this.db.manager, `i.tenant_id = ? AND ${PENDING} ORDER BY i.id DESC`, [tenantId, this.clock.now()]);
  }

  /**
   * Pending invitations addressed to the agent, newest first; none until its address is verified: an account has
   * not shown the address is its own before, and the list would tell it which tenants invite that address.
   */
  async pendingFor(agent: Pick<AgentEntity, 'email' | 'emailVerifiedAt'>): Promise<TenantInvitationEntity[]> {
    if (!agent.emailVerifiedAt) return [];
    return this.select(this.db.manager, `i.email = ? AND ${PENDING} ORDER BY i.id DESC`, [agent.email, this.clock.now()]);
  }

  /**
   * The signed-in agent accepts: by the link's token (which proves the address, so it is verified from now on), or
   * by id once its address is verified. It becomes a member with the offered role; an agent already a member
   * keeps its role. Answers the tenant.
   */
  async accept(session: SessionIdentity, ref: InvitationRef): Promise<string> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.db.transaction(async (tx) => {
          const now = this.clock.now();
          const agent = await tx.findOneByOrFail(AgentEntity, { id: session.agentId });
          const invitation = 'token' in ref ? await this.pendingByToken(tx, ref.token, now) : await this.pendingById(tx, ref.invitationId, agent, now);
          assertThat(invitation?.email === agent.email, 'INVALID_TOKEN', {}, invitation ? SpecificMessages.INVITATION_FOR_ANOTHER_ADDRESS : undefined);
          await this.acceptWithin(tx, invitation, agent, session, now);
          return invitation.tenantId;
        });
      } catch (error) {
        // An addTenantMember of the same agent committed in between: the next round finds the membership.
        if (attempt > 1 || !isUniqueViolation(error)) throw error;
      }
    }
  }

  /** The pending invitation whose link holds this token, or null. */
  async pendingByToken(tx: Tx, token: string, now: Date): Promise<TenantInvitationEntity | null> {
    const [invitation] = await this.select(tx, `i.token_hash = ? AND ${PENDING}`, [hashLinkToken(token), now]);
    return invitation ?? null;
  }

  /**
   * Spends the invitation for this agent (whose address it was sent to) in the caller's transaction: a member with
   * the offered role (unless already one), the address verified, INVITATION_ACCEPTED in the tenant. The conditional
   * update lets one of two racing acceptances through; the other is INVALID_TOKEN.
   */
  async acceptWithin(tx: Tx, invitation: TenantInvitationEntity, agent: Pick<AgentEntity, 'id' | 'email' | 'name'>, origin: RequestOrigin, now: Date): Promise<void> {
    const claimed = await sqlExecute(
      tx,
      'UPDATE tenant_invitations SET accepted_at = ?, accepted_by_agent_id = ? WHERE id = ? AND accepted_at IS NULL AND revoked_at IS NULL AND expires_at > ?',
      [now, agent.id, invitation.id, now],
    );
    assertThat(claimed === 1, 'INVALID_TOKEN');
    const isMember = await tx.existsBy(TenantMembershipEntity, { tenantId: invitation.tenantId, agentId: agent.id });
    if (!isMember) await addMembership(tx, invitation.tenantId, agent, invitation.role, now);
    await markEmailVerified(tx, agent.id, now);
    await recordAudit(tx, now, origin, { tenantId: invitation.tenantId, action: 'INVITATION_ACCEPTED', actorAgentId: agent.id, subjectAgentId: agent.id });
  }

  /** By id: only for an agent whose address is verified (FORBIDDEN before); NOT_FOUND for anyone else's. */
  private async pendingById(tx: Tx, invitationId: string, agent: AgentEntity, now: Date): Promise<TenantInvitationEntity> {
    assertThat(agent.emailVerifiedAt, 'FORBIDDEN', {}, SpecificMessages.EMAIL_NOT_VERIFIED);
    const [invitation] = await this.select(tx, `i.id = ? AND i.email = ? AND ${PENDING}`, [invitationId, agent.email, now]);
    assertThat(invitation, 'NOT_FOUND');
    return invitation;
  }

  private async select(manager: Tx, where: string, params: unknown[]): Promise<TenantInvitationEntity[]> {
    const rows = await sqlRows(manager, `SELECT ${this.invitationRows.columnList} FROM tenant_invitations i WHERE ${where}`, params);
    return rows.map((row) => this.invitationRows.toEntity(row));
  }
}
