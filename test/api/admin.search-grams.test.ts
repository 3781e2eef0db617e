import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AddTenantMemberDocument, SignUpDocument, TenantAgentFilter, TenantAgentsDocument, TenantAgentsQuery } from '../../src/client/generated/graphql';
import { gramsOf } from '../../src/admin/agent-search';
import { seedMembers } from '../helpers/bulk-members';
import { databaseKinds } from '../helpers/databases';
import { addMember, createTenant, PASSWORD, signUp, TestTenant, uniqueEmail } from '../helpers/fixtures';
import { startTestGateway, TestGateway } from '../helpers/gateway';
import { gramCounters } from '../helpers/search-index';

type Connection = NonNullable<TenantAgentsQuery['tenant']>['agents'];

/** The admin search's gram index (member_search_grams) against the memberships, and the search it serves. */
describe.each(databaseKinds)('the agent search gram index on %s', (kind) => {
  let t: TestGateway;
  beforeAll(async () => {
    t = await startTestGateway(kind);
  });
  afterAll(() => t?.close());

  const query = (sql: string, params: unknown[] = []) => t.gateway.db.manager.query(sql, params) as Promise<Array<Record<string, string>>>;

  /** Every gram row, and the rows every membership's search_text calls for: the two must be the same; so must the counters. */
  async function expectGramsMatchMemberships(): Promise<void> {
    const held = (await query('SELECT tenant_id, gram, membership_id FROM member_search_grams')).map((row) => `${row.tenant_id} ${row.membership_id} ${row.gram}`);
    const memberships = await query('SELECT id, tenant_id, search_text FROM tenant_memberships');
    const expected = memberships.flatMap((m) => gramsOf(m.search_text).map((gram) => `${m.tenant_id} ${m.id} ${gram}`));
    expect(held.sort()).toEqual(expected.sort());
    const { kept, counted } = await gramCounters(t);
    expect(kept).toEqual(counted);
  }

  it('holds each membership’s grams after every change that writes search_text, in code points and line by line', async () => {
    await expectGramsMatchMemberships();
    const tenant = await createTenant(t);
    await expectGramsMatchMemberships();
    const other = await createTenant(t);
    const email = uniqueEmail('astral');
    const { signUp: session } = await t.client.ok(SignUpDocument, { email, password: PASSWORD, name: 'Ab😀C' });
    await tenant.owner.client.ok(AddTenantMemberDocument, { tenantId: tenant.id, email, role: 'AGENT' });
    await expectGramsMatchMemberships();
    // Adding a member again changes nothing; the same agent in another tenant has grams of its own there.
    await tenant.owner.client.ok(AddTenantMemberDocument, { tenantId: tenant.id, email, role: 'ADMIN' });
    await other.owner.client.ok(AddTenantMemberDocument, { tenantId: other.id, email, role: 'AGENT' });
    await expectGramsMatchMemberships();

    const [membership] = await query('SELECT id FROM tenant_memberships WHERE tenant_id = ? AND agent_id = ?', [tenant.id, session.agent.id]);
    const grams = (await query('SELECT gram FROM member_search_grams WHERE membership_id = ?', [membership.id])).map((row) => row.gram);
    // The emoji is one character (two UTF-16 units); no gram spans the line break between email and name.
    expect(grams).toEqual(expect.arrayContaining(['ab😀', 'b😀c', '.te', 'est']));
    expect(grams.filter((gram) => gram.includes('\n') || /\p{Cs}/u.test(gram))).toEqual([]);
    expect(grams).toHaveLength(new Set(grams).size);
  });

  describe('search over the index', () => {
    let tenant: TestTenant;
    let names: Map<string, string>;
    beforeAll(async () => {
      tenant = await createTenant(t);
      const agentIds = await seedMembers(t, tenant.id, 150, { isEnrolled: (index) => index % 3 === 0 });
      await addMember(tenant, await signUp(t, 'Seeded-1X'), 'ADMIN');
      const rows = await query('SELECT agent_id, search_text FROM tenant_memberships WHERE tenant_id = ?', [tenant.id]);
      names = new Map(rows.map((row) => [row.agent_id, row.search_text]));
      expect(agentIds).toHaveLength(150);
    });

    const list = async (first: number, after: string | null, filter: TenantAgentFilter): Promise<Connection> =>
      (await tenant.owner.client.ok(TenantAgentsDocument, { tenantId: tenant.id, first, after, filter })).tenant!.agents;

    /** Every match, page by page, and each page's totalCount. */
    async function walk(filter: TenantAgentFilter, first: number): Promise<{ ids: string[]; totalCounts: number[] }> {
      const ids: string[] = [];
      const totalCounts: number[] = [];
      for (let after: string | null = null; ; ) {
        const page = await list(first, after, filter);
        ids.push(...page.edges.map((edge) => edge.node.agent.id));
        totalCounts.push(page.totalCount);
        if (!page.pageInfo.hasNextPage) return { ids, totalCounts };
        after = page.pageInfo.endCursor!;
      }
    }

    it('answers exactly the members whose text holds the term, in keyset order, on every page and with every filter', async () => {
      const all = (await walk({}, 100)).ids;
      const enrolled = new Set((await walk({ twoFactorEnabled: true }, 100)).ids);
      const admins = new Set((await walk({ role: 'ADMIN' }, 100)).ids);
      for (const term of ['seeded 1', 'EDED 14', 'd 1', 'SEEDED-1X', '@example.test', 'seeded 149', 'ed 99', 'nobody', 'xa', '1']) {
        for (const filter of [{ search: term }, { search: term, twoFactorEnabled: true }, { search: term, role: 'ADMIN' as const }]) {
          const expected = all.filter(
            (id) => names.get(id)!.includes(term.toLowerCase()) && (!filter.twoFactorEnabled || enrolled.has(id)) && (!('role' in filter) || admins.has(id)),
          );
          const found = await walk(filter, 7);
          expect({ filter, ...found }).toEqual({ filter, ids: expected, totalCounts: found.totalCounts.map(() => expected.length) });
        }
      }
    });

    it('counts the matches after a cursor past the last one', async () => {
      const all = await list(100, null, { search: 'seeded 1' });
      const past = await list(5, all.edges[all.edges.length - 1].cursor, { search: 'seeded 1' });
      expect([past.edges, past.totalCount]).toEqual([[], all.totalCount]);
    });
  });

  it('counts a term whose every gram most members hold, through the tenant’s search index, with the same answer', async () => {
    const tenant = await createTenant(t);
    await seedMembers(t, tenant.id, 2100);
    for (const [term, matches] of [['SEEDED', 2100], ['seeded 20', 111], ['eded 209', 11]] as const) {
      const page = (await tenant.owner.client.ok(TenantAgentsDocument, { tenantId: tenant.id, first: 10, filter: { search: term } })).tenant!.agents;
      expect([term, page.edges.length, page.totalCount]).toEqual([term, 10, matches]);
    }
  });
});
