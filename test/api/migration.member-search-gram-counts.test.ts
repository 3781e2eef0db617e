import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrations } from '../../migrations';
import { MemberSearchGramCounts1795870000000 } from '../../migrations/1795870000000-MemberSearchGramCounts';
import { LeaveTenantDocument, TenantAgentsDocument } from '../../src/client/generated/graphql';
import { seedMembers } from '../helpers/bulk-members';
import { databaseKinds } from '../helpers/databases';
import { addMember, createTenant, signUp } from '../helpers/fixtures';
import { startTestGateway, TestGateway } from '../helpers/gateway';
import { gramCounters } from '../helpers/search-index';
import { rowCount } from '../helpers/snapshot';

describe.each(databaseKinds)('the MemberSearchGramCounts migration on %s', (kind) => {
  let t: TestGateway;
  beforeAll(async () => {
    t = await startTestGateway(kind);
  });
  afterAll(() => t?.close());

  it('goes down and up again keeping every row, and counts the grams every membership holds as the API kept them', async () => {
    const tenant = await createTenant(t);
    const other = await createTenant(t);
    const stays = await signUp(t, 'Ångström');
    const leaves = await signUp(t, 'Zyxwv-Leaver');
    for (const agent of [stays, leaves]) await addMember(tenant, agent);
    await addMember(other, stays);
    await leaves.client.ok(LeaveTenantDocument, { tenantId: tenant.id });
    await seedMembers(t, other.id, 120);
    const tables = ['tenants', 'tenant_memberships', 'agents', 'member_search_grams'] as const;
    const counts = async () => Promise.all(tables.map((table) => rowCount(t, table)));
    const before = { rows: await counts(), counters: await gramCounters(t) };
    expect(before.counters.kept).toEqual(before.counters.counted);
    expect(before.counters.kept.filter((line) => line.includes('zyx'))).toEqual([]); // the leaver's own grams count nobody

    const { dataSource } = t.gateway.db;
    for (let i = migrations.indexOf(MemberSearchGramCounts1795870000000); i < migrations.length; i++) await dataSource.undoLastMigration({ transaction: 'each' });
    expect(await counts()).toEqual(before.rows);
    await dataSource.runMigrations({ transaction: 'each' });
    expect(await counts()).toEqual(before.rows);
    expect((await gramCounters(t)).kept).toEqual(before.counters.kept);
    const found = await tenant.owner.client.ok(TenantAgentsDocument, { tenantId: tenant.id, first: 5, filter: { search: 'ÅNGSTR' } });
    expect(found.tenant!.agents.edges.map((edge) => edge.node.agent.id)).toEqual([stays.id]);
  });
});
