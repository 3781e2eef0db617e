import type { SessionIdentity } from '../accounts/session-identity';
import { normalizeEmail } from '../accounts/email-address';
import { recordAudit } from '../audit/audit-log';
import type { Clock } from '../clock';
import type { Loaders } from '../loaders';
import { Database, Tx, isUniqueViolation, sqlRows } from '../db/database';
import {
  AgentEntity,
  TenantEntity,
  TenantMembershipEntity,
  WorkspaceEntity,
  WorkspaceMembershipEntity,
} from '../db/entities';
import type { RecoveryCodeFormatName, RecoveryCodeVisibilityName, TenantRoleName, TwoFactorPolicyName } from '../db/entities/tenant.entity';
import { newId } from '../db/ids';
import { rawEntity } from '../db/load-by-ids';
import { DomainError, assertThat } from '../errors/domain-error';
import type { GateService, MemberFacts } from '../two-factor/gate.service';
import { forgetViewableCopies } from '../two-factor/factors/recovery-code/recovery-code-store';
import { readTenantAccess, readWorkspaceAccess } from '../two-factor/tenant-access';
import { HierarchyChange, hierarchyViolation, weakensTwoFactor } from './hierarchy-rule';
import { isTenantAdmin, mayOffer } from './roles';
import { createMemberCounts, uncountTwoFactorBeforeRemoval } from './member-counts';
import { addMembership, removeMembership } from './memberships';
import type { MailQueue } from '../mail/mail-queue';
import { memberAdded } from '../mail/templates/member-added';
import type { SecondFactors } from '../two-factor/factors/registry';
import { revokeStandings } from '../two-factor/standing';
import { forgetDevicesEndedBy } from '../remembered-devices/forget-devices';

/**
 * Tenants, workspaces and membership. Callers have already passed the gate (@TenantGate) for the tenant
 * concerned; this service owns what is specific to each change, such as the hierarchy rule.
 */
export class TenancyService {
  private readonly tenantRows: ReturnType<typeof rawEntity<TenantEntity>>;

  constructor(
    private readonly db: Database,
    private readonly clock: Clock,
    private readonly gate: GateService,
    private readonly factors: SecondFactors,
    private readonly mail: MailQueue,
  ) {
    this.tenantRows = rawEntity(db, TenantEntity, 't');
  }


  async tenantsOf(agentId: string): Promise<TenantEntity[]> {
    const rows = await sqlRows(
      this.db.manager,
      `SELECT ${this.tenantRows.columnList} FROM tenants t JOIN tenant_memberships m ON m.tenant_id = t.id AND m.agent_id = ? ORDER BY m.id`,
      [agentId],
    );
    return rows.map((row) => this.tenantRows.toEntity(row));
  }

  /** A workspace the caller may see: any of its tenant for OWNER/ADMIN, else those it is a member of. */
  async visibleWorkspace(loaders: Loaders, session: SessionIdentity, workspaceId: string): Promise<WorkspaceEntity> {
    // The workspace, the caller's membership of it and its facts in the tenant in one statement: every
    // workspace switch asks this.
    const access = await readWorkspaceAccess(this.db, session, workspaceId, this.clock.now());
    assertThat(access, 'NOT_FOUND');
    const { workspace, facts } = access;
    loaders.workspace.prime(workspace.id, workspace);
    loaders.tenantAccess.prime(workspace.tenantId, facts);
    assertThat(facts.role, 'NOT_FOUND');
    assertThat(isTenantAdmin(facts.role) || access.isWorkspaceMember, 'NOT_FOUND');
    return workspace;
  }

  /** The workspaces a member sees in a tenant: all for OWNER/ADMIN, else its own. */
  async visibleWorkspaces(loaders: Loaders, session: SessionIdentity, tenantId: string): Promise<WorkspaceEntity[]> {
    const facts = await loaders.tenantAccess.load(tenantId);
    if (!facts?.role) return [];
    const all = await loaders.workspacesOfTenant.load(tenantId);
    if (isTenantAdmin(facts.role)) return all;
    const mine = await this.db.manager.findBy(WorkspaceMembershipEntity, { tenantId, agentId: session.agentId });
    const ids = new Set(mine.map((m) => m.workspaceId));
    return all.filter((w) => ids.has(w.id));
  }

  async createTenant(session: SessionIdentity, name: string, issuer: string | null | undefined): Promise<TenantEntity> {
    const owner = await this.db.manager.findOneOrFail(AgentEntity, { select: { id: true, email: true, name: true }, where: { id: session.agentId } });
    return this.db.transaction((tx) => this.createTenantWithin(tx, owner, name, issuer, this.clock.now()));
  }

  /** A tenant and its OWNER's membership in the caller's transaction (also `npm run create-owner`'s, beside the new agent). */
  async createTenantWithin(tx: Tx, owner: Pick<AgentEntity, 'id' | 'email' | 'name'>, name: string, issuer: string | null | undefined, now: Date): Promise<TenantEntity> {
    const tenant: TenantEntity = {
      id: newId(),
      name: name.trim(),
      issuer: (issuer ?? name).trim(),
      twoFactorEnabled: false,
      twoFactorPolicy: 'OPTIONAL',
      recoveryCodeFormat: 'XXXX_XXXX',
      recoveryCodeVisibility: 'SHOWN_ONCE',
      recoveryCodeReplenish: false,
      rememberDeviceDays: 0,
      secondFactorLifetimeSeconds: null,
      createdAt: now,
    };
    await tx.insert(TenantEntity, tenant);
    await createMemberCounts(tx, tenant.id);
    await addMembership(tx, tenant.id, owner, 'OWNER', now);
    return tenant;
  }

  async createWorkspace(tenantId: string, name: string): Promise<WorkspaceEntity> {
    const workspace: WorkspaceEntity = { id: newId(), tenantId, name: name.trim(), twoFactorRequired: false, createdAt: this.clock.now() };
    await this.db.autocommit((manager) => manager.insert(WorkspaceEntity, workspace));
    return workspace;
  }

  /**
   * Adds an existing agent by email and tells it by e-mail; an agent already in the tenant keeps its role (no
   * silent role change) and gets no message.
   */
  async addTenantMember(
    actor: SessionIdentity,
    actorRole: TenantRoleName,
    tenantId: string,
    email: string,
    role: TenantRoleName,
  ): Promise<TenantMembershipEntity> {
    assertThat(mayOffer(actorRole, role), 'FORBIDDEN');
    const agent = await this.db.manager.findOne(AgentEntity, { select: { id: true, email: true, name: true }, where: { email: normalizeEmail(email) } });
    assertThat(agent, 'NOT_FOUND');
    const now = this.clock.now();
    try {
      return await this.db.transaction(async (tx) => {
        const membership = await addMembership(tx, tenantId, agent, role, now);
        await recordAudit(tx, now, actor, { tenantId, action: 'MEMBER_ADDED', actorAgentId: actor.agentId, subjectAgentId: agent.id });
        const [tenant, addedBy] = await Promise.all([
          tx.findOneByOrFail(TenantEntity, { id: tenantId }),
          tx.findOneOrFail(AgentEntity, { select: { name: true }, where: { id: actor.agentId } }),
        ]);
        await this.mail.enqueue(tx, memberAdded.message(agent.email, { name: agent.name, tenantName: tenant.name, role, addedBy: addedBy.name }), now);
        return membership;
      });
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      return this.db.manager.findOneByOrFail(TenantMembershipEntity, { tenantId, agentId: agent.id });
    }
  }

  /**
   * The caller leaves the tenant: its membership, workspace memberships, standing and second factors there go, in
   * one transaction with MEMBER_LEFT. The tenant's last OWNER cannot leave (LAST_OWNER, nothing changed).
   */
  async leaveTenant(session: SessionIdentity, tenantId: string): Promise<void> {
    const now = this.clock.now();
    await this.db.transaction(async (tx) => {
      const membership = await tx.findOneBy(TenantMembershipEntity, { tenantId, agentId: session.agentId });
      assertThat(membership, 'NOT_FOUND');
      await this.removePairFactors(tx, tenantId, session.agentId);
      await revokeStandings(tx, tenantId, session.agentId, now);
      await removeMembership(tx, membership);
      await recordAudit(tx, now, session, { tenantId, action: 'MEMBER_LEFT', actorAgentId: session.agentId, subjectAgentId: session.agentId });
    });
  }

  /** Every second factor of the pair, counted out first, as disabling and the admin reset remove them. */
  private async removePairFactors(tx: Tx, tenantId: string, agentId: string): Promise<void> {
    await uncountTwoFactorBeforeRemoval(this.db, tx, tenantId, agentId);
    await this.factors.removeAll(tx, tenantId, agentId);
  }

  async addWorkspaceMember(actor: SessionIdentity, workspace: WorkspaceEntity, agentId: string): Promise<void> {
    const isTenantMember = await this.db.manager.existsBy(TenantMembershipEntity, { tenantId: workspace.tenantId, agentId });
    assertThat(isTenantMember, 'NOT_FOUND');
    const now = this.clock.now();
    try {
      await this.db.transaction(async (tx) => {
        await tx.insert(WorkspaceMembershipEntity, { id: newId(), tenantId: workspace.tenantId, workspaceId: workspace.id, agentId, createdAt: now });
        await recordAudit(tx, now, actor, {
          tenantId: workspace.tenantId,
          action: 'WORKSPACE_MEMBER_ADDED',
          actorAgentId: actor.agentId,
          subjectAgentId: agentId,
          workspaceId: workspace.id,
        });
      });
    } catch (error) {
      if (!isUniqueViolation(error)) throw error; // already a member: nothing to do
    }
  }

  async setTenantTwoFactor(actor: SessionIdentity, tenantId: string, enabled: boolean): Promise<TenantEntity> {
    return this.changeTenant(actor, tenantId, { kind: 'tenant', enabled }, async (tx, { tenant }, now) => {
      if (tenant.twoFactorEnabled === enabled) return;
      await tx.update(TenantEntity, { id: tenantId }, { twoFactorEnabled: enabled });
      await recordAudit(tx, now, actor, { tenantId, action: 'TENANT_TWO_FACTOR_CHANGED', actorAgentId: actor.agentId });
    });
  }

  async setTenantTwoFactorPolicy(actor: SessionIdentity, tenantId: string, policy: TwoFactorPolicyName): Promise<TenantEntity> {
    return this.changeTenant(actor, tenantId, { kind: 'policy', policy }, async (tx, { tenant }, now) => {
      if (tenant.twoFactorPolicy === policy) return;
      await tx.update(TenantEntity, { id: tenantId }, { twoFactorPolicy: policy });
      await recordAudit(tx, now, actor, { tenantId, action: 'POLICY_CHANGED', actorAgentId: actor.agentId });
    });
  }

  async setTenantRecoveryCodeFormat(actor: SessionIdentity, tenantId: string, format: RecoveryCodeFormatName): Promise<TenantEntity> {
    return this.changeTenant(actor, tenantId, null, async (tx, { tenant }, now) => {
      if (tenant.recoveryCodeFormat === format) return;
      await tx.update(TenantEntity, { id: tenantId }, { recoveryCodeFormat: format });
      await recordAudit(tx, now, actor, { tenantId, action: 'RECOVERY_CODE_FORMAT_CHANGED', actorAgentId: actor.agentId });
    });
  }

  /**
   * The name authenticator apps show for this tenant, in the otpauth URI of every enrolment begun from now on.
   * Entries already in apps keep the label they were scanned with: the URI is not stored, only shown once.
   */
  async setTenantIssuer(actor: SessionIdentity, tenantId: string, issuer: string): Promise<TenantEntity> {
    const next = issuer.trim();
    return this.changeTenant(actor, tenantId, null, async (tx, { tenant }, now) => {
      if (tenant.issuer === next) return;
      await tx.update(TenantEntity, { id: tenantId }, { issuer: next });
      await recordAudit(tx, now, actor, { tenantId, action: 'ISSUER_CHANGED', actorAgentId: actor.agentId });
    });
  }

  /**
   * Whether agents may view their unused recovery codes again (VIEWABLE keeps encrypted copies of codes issued
   * from now on), and whether a used code is replaced. Leaving VIEWABLE deletes every copy in the same
   * transaction, under the tenant's row lock that code issuing waits for (factors/recovery-code/recovery-code-store.ts).
   */
  async setTenantRecoveryCodeVisibility(actor: SessionIdentity, tenantId: string, visibility: RecoveryCodeVisibilityName, replenish: boolean): Promise<TenantEntity> {
    // A replacement shown to nobody would only be a code the agent never learns.
    assertThat(visibility === 'VIEWABLE' || !replenish, 'BAD_USER_INPUT', { field: 'replenish' });
    return this.changeTenant(actor, tenantId, null, async (tx, actorFacts, now) => {
      const { tenant } = actorFacts;
      if (tenant.recoveryCodeVisibility === visibility && tenant.recoveryCodeReplenish === replenish) return;
      // Keeping readable copies weakens 2FA for every agent of the tenant: step-up, as for the toggles.
      if (visibility === 'VIEWABLE' && tenant.recoveryCodeVisibility !== 'VIEWABLE') this.gate.assertStepUp(actorFacts);
      await tx.update(TenantEntity, { id: tenantId }, { recoveryCodeVisibility: visibility, recoveryCodeReplenish: replenish });
      if (visibility === 'SHOWN_ONCE') await forgetViewableCopies(tx, tenantId);
      await recordAudit(tx, now, actor, { tenantId, action: 'RECOVERY_CODE_VISIBILITY_CHANGED', actorAgentId: actor.agentId });
    });
  }

  /**
   * How many days a device may skip the tenant's challenge after a pass with `rememberDevice` (0 turns remembering
   * off). More days is a weakening (step-up). Fewer days shorten the devices already remembered
   * (device-expiry.ts) and forget those remembered longer ago than that: 0 forgets every one.
   */
  async setTenantRememberDeviceDays(actor: SessionIdentity, tenantId: string, days: number): Promise<TenantEntity> {
    return this.changeTenant(actor, tenantId, { kind: 'remember-device-days', days }, async (tx, { tenant }, now) => {
      if (tenant.rememberDeviceDays === days) return;
      await tx.update(TenantEntity, { id: tenantId }, { rememberDeviceDays: days });
      if (days < tenant.rememberDeviceDays) await forgetDevicesEndedBy(tx, tenantId, days, now);
      await recordAudit(tx, now, actor, { tenantId, action: 'REMEMBER_DEVICE_DAYS_CHANGED', actorAgentId: actor.agentId });
    });
  }

  /**
   * How long a pass holds in a session before the tenant challenges again (null: the session's lifetime). It
   * applies to standings held now too: longer (or none) revives lapsed ones, a weakening (step-up).
   */
  async setTenantSecondFactorLifetime(actor: SessionIdentity, tenantId: string, seconds: number | null): Promise<TenantEntity> {
    return this.changeTenant(actor, tenantId, { kind: 'second-factor-lifetime', seconds }, async (tx, { tenant }, now) => {
      if (tenant.secondFactorLifetimeSeconds === seconds) return;
      await tx.update(TenantEntity, { id: tenantId }, { secondFactorLifetimeSeconds: seconds });
      await recordAudit(tx, now, actor, { tenantId, action: 'SECOND_FACTOR_LIFETIME_CHANGED', actorAgentId: actor.agentId });
    });
  }

  async setWorkspaceTwoFactor(actor: SessionIdentity, workspace: WorkspaceEntity, required: boolean): Promise<WorkspaceEntity> {
    await this.changeTenant(actor, workspace.tenantId, { kind: 'workspace', workspaceId: workspace.id, required }, async (tx, _facts, now) => {
      const current = await tx.findOneByOrFail(WorkspaceEntity, { id: workspace.id });
      if (current.twoFactorRequired === required) return;
      await tx.update(WorkspaceEntity, { id: workspace.id }, { twoFactorRequired: required });
      await recordAudit(tx, now, actor, {
        tenantId: workspace.tenantId,
        action: 'WORKSPACE_TWO_FACTOR_CHANGED',
        actorAgentId: actor.agentId,
        workspaceId: workspace.id,
      });
    });
    return this.db.manager.findOneByOrFail(WorkspaceEntity, { id: workspace.id });
  }

  /**
   * Read-decide-write on a tenant's settings under the tenant's row lock, so two admins toggling at once cannot
   * both pass the hierarchy rule against the same old state. Under the lock, one statement reads the tenant and
   * the actor's role, enrolment and standing again, and a change that weakens 2FA is judged on those (the gate's
   * step-up): facts the gate read before the lock may predate a racing change (an admin who read "2FA off" must
   * not undo an owner's "2FA on" without the second factor that change now asks for).
   */
  private async changeTenant(
    actor: SessionIdentity,
    tenantId: string,
    change: HierarchyChange | null,
    apply: (tx: Tx, actorFacts: MemberFacts, now: Date) => Promise<void>,
  ): Promise<TenantEntity> {
    return this.db.transaction(async (tx) => {
      await this.db.lockRow(tx, 'tenants', tenantId);
      const actorFacts = await readTenantAccess(tx, actor, tenantId, this.clock.now());
      assertThat(actorFacts?.role, 'NOT_FOUND');
      const locked = actorFacts as MemberFacts;
      if (change) {
        const { tenant } = locked;
        const requiring = await tx.find(WorkspaceEntity, { select: { id: true }, where: { tenantId, twoFactorRequired: true }, order: { id: 'ASC' } });
        const settings = {
          twoFactorEnabled: tenant.twoFactorEnabled,
          policy: tenant.twoFactorPolicy,
          workspacesRequiringTwoFactor: requiring.map((w) => w.id),
          rememberDeviceDays: tenant.rememberDeviceDays,
          secondFactorLifetimeSeconds: tenant.secondFactorLifetimeSeconds,
        };
        if (weakensTwoFactor(settings, change)) this.gate.assertStepUp(locked);
        const violation = hierarchyViolation(settings, change);
        if (violation) throw new DomainError(violation.code, violation.details);
      }
      await apply(tx, locked, this.clock.now());
      return tx.findOneByOrFail(TenantEntity, { id: tenantId });
    });
  }
}
