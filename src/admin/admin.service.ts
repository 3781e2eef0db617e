import { Agent } from '../accounts/account.types';
import type { SessionIdentity } from '../accounts/session-identity';
import { AuditEvent, AuditEventConnection, toAuditEvent } from '../audit/audit.types';
import { recordAudit } from '../audit/audit-log';
import type { Clock } from '../clock';
import { Database, sqlRows } from '../db/database';
import { AuditEventEntity, TenantMembershipEntity } from '../db/entities';
import type { TenantRoleName } from '../db/entities/tenant.entity';
import { rawInt } from '../db/raw';
import { assertThat } from '../errors/domain-error';
import { mayActOn } from '../tenancy/roles';
import type { TenantRole } from '../tenancy/tenancy.types';
import { decodeCursor, encodeCursor, toPage } from '../graphql/pagination';
import type { EnrolmentService } from '../two-factor/enrolment.service';
import { revokeStandings } from '../two-factor/standing';
import { PASSKEY_COUNT, RECOVERY_CODES_REMAINING, STATUS_COLUMNS, statusSnapshotFromRow, toTwoFactorStatus } from '../two-factor/two-factor-status';
import type { TwoFactorStatus } from '../two-factor/two-factor.types';
import { countFor, MemberCounts, readMemberCounts } from '../tenancy/member-counts';
import { LAST_SIGN_IN_AT, LAST_SIGN_IN_USED_TWO_FACTOR, lastSignInFromRow } from './last-sign-in';
import { containsPattern, countSource, isLongPostingList, pageSource, postingList, SEARCH_MATCH, SearchSource } from './agent-search';
import { TenantAgent, TenantAgentConnection } from './admin.types';

/** The index the listing's keyset walks under a filter: its equality columns, then the membership id. */
function keysetIndex(filter: AgentListFilter | null | undefined): string {
  if (typeof filter?.twoFactorEnabled === 'boolean') return 'ix_tenant_memberships_tenant_2fa_id';
  return filter?.role ? 'ix_tenant_memberships_tenant_role_id' : 'ix_tenant_memberships_tenant_id';
}

/**
 * A tenant's members narrowed by a filter, as SQL with named parameters: the tables (the members as m), the
 * conditions, the column of its keyset, and the index that keyset walks in tenant_memberships: set only when the
 * tables are tenant_memberships alone, null when the members come from a search's posting list.
 */
interface FilteredMembers {
  from: string;
  conditions: string[];
  parameters: Record<string, unknown>;
  keyset: string;
  keysetIndex: string | null;
}

/** Everything TenantAgent's fields show, in the same row: the columns, and the joins after the members (m). */
const MEMBER_COLUMNS = [
  'm.id AS id',
  'm.role AS role',
  'ag.id AS agent_id',
  'ag.email AS email',
  'ag.name AS name',
  'ag.email_verified_at AS email_verified_at',
  `${LAST_SIGN_IN_AT} AS last_sign_in_at`,
  ...STATUS_COLUMNS,
  `${RECOVERY_CODES_REMAINING} AS recovery_codes_remaining`,
  `${PASSKEY_COUNT} AS passkey_count`,
  `${LAST_SIGN_IN_USED_TWO_FACTOR('m.tenant_id')} AS last_sign_in_used_two_factor`,
].join(', ');
const MEMBER_JOINS =
  'LEFT JOIN authenticators a ON a.tenant_id = m.tenant_id AND a.agent_id = m.agent_id INNER JOIN agents ag ON ag.id = m.agent_id LEFT JOIN sessions s ON s.id = m.last_session_id';

export interface AgentListFilter {
  twoFactorEnabled?: boolean | null;
  role?: TenantRoleName | null;
  /** A case-insensitive substring of the agent's email or name. */
  search?: string | null;
}

/** Narrows the audit log; every field given must hold. `since` is inclusive, `before` exclusive. */
export interface AuditLogQueryFilter {
  actions?: string[] | null;
  agentId?: string | null;
  since?: Date | null;
  before?: Date | null;
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
   * reads the page with everything its fields show (each row answers its member whole); the counters give
   * totalCount (a search counts its matches instead). The listing's SQL is written out, not built by TypeORM's
   * query builder: building it cost about a twentieth of a page.
   */
  async listAgents(tenantId: string, first: number, after: string | null | undefined, filter: AgentListFilter | null | undefined): Promise<TenantAgentConnection> {
    const source = pageSource(filter?.search);
    const members = this.filteredMembers(tenantId, filter, source);
    const conditions = after ? [...members.conditions, `${members.keyset} > :after`] : members.conditions;
    const parameters = after ? { ...members.parameters, after: decodeCursor(after) } : members.parameters;
    const postingGram = source.kind === 'rarest' ? ', g.gram AS posting_gram' : '';
    const pageSql = `SELECT ${MEMBER_COLUMNS}${postingGram} FROM ${this.pageFrom(members)} ${MEMBER_JOINS}
      WHERE ${conditions.join(' AND ')} ORDER BY ${members.keyset} LIMIT ${first + 1}`;
    const page = () => this.rows<Record<string, unknown> & { id: string }>(pageSql, parameters);

    let rows: Array<Record<string, unknown> & { id: string }>;
    let totalCount: number;
    if (filter?.search) {
      // A first page that holds every match has counted them already; only a longer list takes the second pass.
      rows = await page();
      totalCount = !after && rows.length <= first ? rows.length : await this.countMatches(tenantId, filter, countSource(source, rows[0]));
    } else {
      let counts: MemberCounts;
      [rows, counts] = await Promise.all([page(), readMemberCounts(this.db.manager, tenantId, filter?.role ?? null)]);
      totalCount = countFor(counts, filter?.twoFactorEnabled);
    }
    const { nodes, pageInfo } = toPage(rows, first);
    const now = this.clock.now();
    const edges = nodes.map((row) => ({ cursor: encodeCursor(row.id), node: this.toMember(tenantId, row, now) }));
    return { edges, pageInfo, totalCount };
  }

  /**
   * The page's tables, walking its keyset index from the cursor on. SQLite's planner seeks it unaided; MariaDB's
   * prefers `ref` on the tenant alone and then skips every member before the cursor one by one (at 100,000
   * members a deep page took 4 times as long), so there the index is forced, which makes it a range from the
   * cursor. A posting list needs no hint: both seek its primary key range, in keyset order, unaided.
   */
  private pageFrom(members: FilteredMembers): string {
    if (this.db.isSqlite || !members.keysetIndex) return members.from;
    return `${members.from} FORCE INDEX (${members.keysetIndex})`;
  }

  /** One member, in the one statement the listing uses per page; null when the agent is not a member. */
  async findAgent(tenantId: string, agentId: string): Promise<TenantAgent | null> {
    const members = this.filteredMembers(tenantId, null);
    const [row] = await this.rows(`SELECT ${MEMBER_COLUMNS} FROM ${members.from} ${MEMBER_JOINS} WHERE ${members.conditions.join(' AND ')} AND m.agent_id = :agentId`, {
      ...members.parameters,
      agentId,
    });
    return row ? this.toMember(tenantId, row, this.clock.now()) : null;
  }

  /**
   * A tenant's members (m), narrowed by the filter: every condition is on the membership row and its indexes. A
   * search reads its members from `source` (agent-search.ts): from a posting list (g), its membership ids are the
   * keyset.
   */
  private filteredMembers(tenantId: string, filter: AgentListFilter | null | undefined, source: SearchSource = { kind: 'members' }): FilteredMembers {
    let members: FilteredMembers;
    if (source.kind === 'members') {
      members = { from: 'tenant_memberships m', conditions: ['m.tenant_id = :tenantId'], parameters: { tenantId }, keyset: 'm.id', keysetIndex: keysetIndex(filter) };
    } else {
      const list = postingList(source);
      members = {
        // Nothing else narrows m: a condition on its tenant would tempt SQLite's planner to walk the tenant's
        // members and look each up in the postings instead (tens of milliseconds at 100,000 members).
        from: 'member_search_grams g INNER JOIN tenant_memberships m ON m.id = g.membership_id',
        conditions: [`g.tenant_id = :tenantId AND g.gram = ${list.gram}`],
        parameters: { tenantId, ...list.parameters },
        keyset: 'g.membership_id',
        keysetIndex: null,
      };
    }
    const narrow = (condition: string, parameters: Record<string, unknown>) => {
      members.conditions.push(condition);
      Object.assign(members.parameters, parameters);
    };
    if (filter?.role) narrow('m.role = :role', { role: filter.role });
    if (typeof filter?.twoFactorEnabled === 'boolean') narrow('m.two_factor_enabled = :enabled', { enabled: filter.twoFactorEnabled ? 1 : 0 });
    if (filter?.search) narrow(`(${SEARCH_MATCH})`, { pattern: containsPattern(filter.search) });
    return members;
  }

  /** The row answers every field of the member: no loader, no further statement. */
  private toMember(tenantId: string, row: Record<string, unknown>, now: Date): TenantAgent {
    const agentId = row.agent_id as string;
    return Object.assign(new TenantAgent(), {
      role: row.role as TenantRole,
      agent: Object.assign(new Agent(), { id: agentId, email: row.email as string, name: row.name as string, emailVerified: row.email_verified_at != null }),
      twoFactor: toTwoFactorStatus(statusSnapshotFromRow(row), now, { tenantId, agentId }),
      lastSignIn: lastSignInFromRow(row),
    });
  }

  /**
   * A search's matches under every filter, in one pass over `source`; over the tenant's search index instead when
   * the posting list is long, decided in the same statement (only the branch taken runs).
   */
  private async countMatches(tenantId: string, filter: AgentListFilter, source: SearchSource): Promise<number> {
    const count = (from: SearchSource) => {
      const members = this.filteredMembers(tenantId, filter, from);
      return { sql: `SELECT COUNT(*) AS matches FROM ${members.from} WHERE ${members.conditions.join(' AND ')}`, parameters: members.parameters };
    };
    let query = count(source);
    if (source.kind !== 'members') {
      const [postings, members] = [query, count({ kind: 'members' })];
      query = {
        sql: `SELECT CASE WHEN ${isLongPostingList(postingList(source).postings)} THEN (${members.sql}) ELSE (${postings.sql}) END AS matches FROM tenants t WHERE t.id = :tenantId`,
        parameters: { ...members.parameters, ...postings.parameters },
      };
    }
    const [row] = await this.rows(query.sql, query.parameters);
    return rawInt(row?.matches);
  }

  /**
   * A statement with named parameters (`:name`, as the search's SQL fragments write them), turned positional by
   * TypeORM's driver and sent as a prepared statement kept per SQL text, like the hot paths' (planning the page's
   * join anew cost SQLite about as much as running it).
   */
  private rows<T = Record<string, unknown>>(sql: string, parameters: Record<string, unknown>): Promise<T[]> {
    const [positional, values] = this.db.manager.connection.driver.escapeQueryWithParameters(sql, parameters);
    return sqlRows<T>(this.db.manager, positional, values);
  }

  /**
   * Newest first, by keyset on (tenant_id, event id): ids are UUIDv7, so id order is time order. The filter
   * narrows the same keyset, so a cursor from a filtered page continues that filtered list.
   */
  async auditLog(tenantId: string, first: number, after: string | null | undefined, filter?: AuditLogQueryFilter | null): Promise<AuditEventConnection> {
    const query = this.db.manager
      .createQueryBuilder(AuditEventEntity, 'e')
      .where('e.tenantId = :tenantId', { tenantId })
      .orderBy('e.id', 'DESC')
      .limit(first + 1);
    if (after) query.andWhere('e.id < :after', { after: decodeCursor(after) });
    if (filter?.actions) query.andWhere(filter.actions.length ? 'e.action IN (:...actions)' : '1 = 0', { actions: filter.actions });
    if (filter?.agentId) query.andWhere('(e.actorAgentId = :agentId OR e.subjectAgentId = :agentId)', { agentId: filter.agentId });
    if (filter?.since) query.andWhere('e.at >= :since', { since: filter.since });
    if (filter?.before) query.andWhere('e.at < :before', { before: filter.before });
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
      await recordAudit(tx, now, actor, { tenantId, action: 'SESSIONS_REVOKED', actorAgentId: actor.agentId, subjectAgentId: agentId });
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
