import type { SessionIdentity } from '../accounts/account.service';
import { AuditEvent, AuditEventConnection, toAuditEvent } from '../audit/audit.types';
import { recordAudit } from '../audit/audit-log';
import type { Clock } from '../clock';
import type { Loaders } from '../context';
import { Database, sqlRows } from '../db/database';
import { AuditEventEntity, TenantMembershipEntity } from '../db/entities';
import type { AgentEntity } from '../db/entities/agent.entity';
import type { TenantRoleName } from '../db/entities/tenant.entity';
import { rawInt } from '../db/raw';
import { assertThat } from '../errors/domain-error';
import { mayActOn } from '../tenancy/roles';
import { decodeCursor, encodeCursor, toPage } from '../graphql/pagination';
import { pairKey } from '../tenancy/pair-key';
import type { EnrolmentService } from '../two-factor/enrolment.service';
import { revokeStandings } from '../two-factor/standing';
import { RECOVERY_CODES_REMAINING, STATUS_COLUMNS, statusSnapshotFromRow } from '../two-factor/two-factor-status';
import type { TwoFactorStatus } from '../two-factor/two-factor.types';
import { LAST_SIGN_IN_AT, LAST_SIGN_IN_USED_TWO_FACTOR, lastSignInFromRow } from './admin.loaders';
import { TenantAgentConnection, toTenantAgent } from './admin.types';

export interface AgentListFilter {
  twoFactorEnabled?: boolean | null;
  role?: TenantRoleName | null;
}

/** What a tenant's OWNER/ADMIN sees and does: the agent list, resets, revocations and the audit log. */
export class AdminService {
  constructor(
    private readonly db: Database,
    private readonly clock: Clock,
    private readonly enrolment: EnrolmentService,
  ) {}

  /**
   * One page of a tenant's agents, oldest members first, by keyset on (tenant_id, membership id). One statement
   * reads the page with everything its fields show and primes the per-request loaders; one more counts.
   */
  async listAgents(loaders: Loaders, tenantId: string, first: number, after: string | null | undefined, filter: AgentListFilter | null | undefined): Promise<TenantAgentConnection> {
    const pageQuery = this.db.manager
      .createQueryBuilder()
      .from('tenant_memberships', 'm')
      .leftJoin('authenticators', 'a', 'a.tenant_id = m.tenant_id AND a.agent_id = m.agent_id')
      .innerJoin('agents', 'ag', 'ag.id = m.agent_id')
      .leftJoin('sessions', 's', 's.id = m.last_session_id')
      .select(['m.id AS id', 'm.role AS role', 'ag.id AS agent_id', 'ag.email AS email', 'ag.name AS name', `${LAST_SIGN_IN_AT} AS last_sign_in_at`, ...STATUS_COLUMNS])
      .addSelect(RECOVERY_CODES_REMAINING, 'recovery_codes_remaining')
      .addSelect(LAST_SIGN_IN_USED_TWO_FACTOR('m.tenant_id'), 'last_sign_in_used_two_factor')
      .where('m.tenant_id = :tenantId', { tenantId })
      .orderBy('m.id', 'ASC')
      .limit(first + 1);
    if (filter?.role) pageQuery.andWhere('m.role = :role', { role: filter.role });
    if (filter?.twoFactorEnabled === true) pageQuery.andWhere("a.state = 'ENABLED'");
    if (filter?.twoFactorEnabled === false) pageQuery.andWhere("(a.state IS NULL OR a.state <> 'ENABLED')");
    if (after) pageQuery.andWhere('m.id > :after', { after: decodeCursor(after) });

    const [rows, totalCount] = await Promise.all([pageQuery.getRawMany(), this.countAgents(tenantId, filter)]);
    const { nodes, pageInfo } = toPage(rows as Array<Record<string, unknown> & { id: string }>, first);
    const edges = nodes.map((row) => {
      const agentId = row.agent_id as string;
      loaders.agent.prime(agentId, { id: agentId, email: row.email, name: row.name } as AgentEntity);
      loaders.twoFactorStatus.prime(pairKey(tenantId, agentId), statusSnapshotFromRow(row));
      loaders.lastSignIn.prime(pairKey(tenantId, agentId), lastSignInFromRow(row));
      return { cursor: encodeCursor(row.id), node: toTenantAgent(tenantId, agentId, row.role as string) };
    });
    return { edges, pageInfo, totalCount };
  }

  /**
   * totalCount from indexes rather than by joining every member to its authenticator: the enrolled are the
   * tenant's ENABLED authenticators (only members have one), the others are the members less the enrolled.
   */
  private async countAgents(tenantId: string, filter: AgentListFilter | null | undefined): Promise<number> {
    const role = filter?.role ?? null;
    const [row] = await sqlRows(
      this.db.manager,
      `SELECT (SELECT COUNT(*) FROM tenant_memberships m WHERE m.tenant_id = ?${role ? ' AND m.role = ?' : ''}) AS members,
              (SELECT COUNT(*) FROM authenticators a
                 ${role ? 'JOIN tenant_memberships m ON m.tenant_id = a.tenant_id AND m.agent_id = a.agent_id AND m.role = ?' : ''}
                WHERE a.tenant_id = ? AND a.state = 'ENABLED') AS enrolled`,
      role ? [tenantId, role, role, tenantId] : [tenantId, tenantId],
    );
    const members = rawInt(row.members);
    const enrolled = rawInt(row.enrolled);
    if (filter?.twoFactorEnabled === true) return enrolled;
    return filter?.twoFactorEnabled === false ? members - enrolled : members;
  }

  /** Newest first, by keyset on (tenant_id, event id): ids are UUIDv7, so id order is time order. */
  async auditLog(tenantId: string, first: number, after: string | null | undefined): Promise<AuditEventConnection> {
    const query = this.db.manager
      .createQueryBuilder(AuditEventEntity, 'e')
      .where('e.tenantId = :tenantId', { tenantId })
      .orderBy('e.id', 'DESC')
      .limit(first + 1);
    if (after) query.andWhere('e.id < :after', { after: decodeCursor(after) });
    const { nodes, pageInfo } = toPage(await query.getMany(), first);
    return { edges: nodes.map((e) => ({ cursor: encodeCursor(e.id), node: toAuditEvent(e) as AuditEvent })), pageInfo };
  }

  async resetAgentTwoFactor(actor: SessionIdentity, actorRole: TenantRoleName, tenantId: string, agentId: string): Promise<TwoFactorStatus> {
    await this.assertMayActOn(actor, actorRole, tenantId, agentId);
    return this.enrolment.reset(actor, tenantId, agentId);
  }

  async revokeAgentSessions(actor: SessionIdentity, actorRole: TenantRoleName, tenantId: string, agentId: string): Promise<number> {
    await this.assertMayActOn(actor, actorRole, tenantId, agentId);
    const now = this.clock.now();
    return this.db.transaction(async (tx) => {
      const count = await revokeStandings(tx, tenantId, agentId, now);
      await recordAudit(tx, now, { tenantId, action: 'SESSIONS_REVOKED', actorAgentId: actor.agentId, subjectAgentId: agentId });
      return count;
    });
  }

  /**
   * Admins reach only agents of their own tenant (anyone else is NOT_FOUND), and only those their rank allows:
   * an ADMIN acts on AGENTs and on itself, an OWNER on everyone (FORBIDDEN otherwise).
   */
  private async assertMayActOn(actor: SessionIdentity, actorRole: TenantRoleName, tenantId: string, agentId: string): Promise<void> {
    const target = await this.db.manager.findOne(TenantMembershipEntity, { select: { role: true }, where: { tenantId, agentId } });
    assertThat(target, 'NOT_FOUND');
    assertThat(mayActOn(actorRole, target.role, agentId === actor.agentId), 'FORBIDDEN');
  }
}
