import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TenantAgentsDocument } from '../../src/client/generated/graphql';
import { seedMembers } from '../helpers/bulk-members';
import { databaseKinds } from '../helpers/databases';
import { addMember, createTenant, signUp } from '../helpers/fixtures';
import { startTestGateway, TestGateway } from '../helpers/gateway';
import { rowCount } from '../helpers/snapshot';

describe.each(databaseKinds)('the MemberSearchGrams migration on %s', (kind) => {
  let t: TestGateway;
  beforeAll(async () => {
    t = await startTestGateway(kind);
  });
  afterAll(() => t?.close());

  it('goes down and up again keeping every row, and fills the grams of every existing membership', async () => {
    const tenant = await createTenant(t);
    const other = await createTenant(t);
    const agent = await signUp(t, 'Ångström');
    await addMember(tenant, agent);
    await addMember(other, agent);
    await seedMembers(t, tenant.id, 620); // more than one batch of the backfill
    const tables = ['tenants', 'tenant_memberships', 'agents', 'member_search_grams'] as const;
    const counts = async () => Promise.all(tables.map((table) => rowCount(t, table)));
    const grams = async () =>
      (await t.gateway.db.manager.query('SELECT tenant_id, gram, membership_id FROM member_search_grams ORDER BY tenant_id, gram, membership_id')) as unknown[];
    const before = { rows: await counts(), grams: await grams() };
    expect(before.rows[3]).toBeGreaterThan(620 * 10);

    const { dataSource } = t.gateway.db;
    const applied = async () => ((await dataSource.query('SELECT name FROM migrations')) as Array<{ name: string }>).map((row) => row.name);
    while ((await applied()).includes('MemberSearchGrams1795770000000')) await dataSource.undoLastMigration({ transaction: 'each' });
    await dataSource.runMigrations({ transaction: 'each' });
    // What the API and the bulk seed wrote is what the migration computes from the memberships.
    expect(await counts()).toEqual(before.rows);
    expect(await grams()).toEqual(before.grams);
    const found = await tenant.owner.client.ok(TenantAgentsDocument, { tenantId: tenant.id, first: 5, filter: { search: 'ÅNGSTR' } });
    expect(found.tenant!.agents.edges.map((edge) => edge.node.agent.id)).toEqual([agent.id]);
  });
});
