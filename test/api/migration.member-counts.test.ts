import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BeginTotpEnrolmentDocument } from '../../src/client/generated/graphql';
import { databaseKinds } from '../helpers/databases';
import { addMember, createTenant, enrol, signUp } from '../helpers/fixtures';
import { startTestGateway, TestGateway } from '../helpers/gateway';
import { rowCount } from '../helpers/snapshot';

describe.each(databaseKinds)('the MemberCountsAndSearch migration on %s', (kind) => {
  let t: TestGateway;
  beforeAll(async () => {
    t = await startTestGateway(kind);
  });
  afterAll(() => t?.close());

  it('goes down and up again keeping every row, and fills the counters, the 2FA flags and the search text from the rows', async () => {
    const tenant = await createTenant(t, { twoFactor: true });
    const other = await createTenant(t);
    const [enabled, pending, admin] = [await signUp(t, 'Enabled'), await signUp(t, 'pending'), await signUp(t, 'admin')];
    for (const agent of [enabled, pending]) await addMember(tenant, agent);
    await addMember(tenant, admin, 'ADMIN');
    await addMember(other, enabled);
    await enrol(t, enabled, tenant.id);
    await enrol(t, admin, tenant.id);
    await pending.client.ok(BeginTotpEnrolmentDocument, { tenantId: tenant.id, password: pending.password });
    const tables = ['tenants', 'tenant_memberships', 'authenticators', 'agents'] as const;
    const counts = async () => Promise.all(tables.map((table) => rowCount(t, table)));
    const query = (sql: string, params: unknown[] = []) => t.gateway.db.manager.query(sql, params) as Promise<Array<Record<string, unknown>>>;
    const counters = async () =>
      (await query('SELECT tenant_id, role, members, two_factor_enabled FROM tenant_member_counts ORDER BY tenant_id, role')).map((row) => ({
        tenant_id: String(row.tenant_id),
        role: String(row.role),
        members: Number(row.members),
        two_factor_enabled: Number(row.two_factor_enabled),
      }));
    const searchColumns = async () =>
      (await query('SELECT id, search_text, two_factor_enabled FROM tenant_memberships ORDER BY id')).map((row) => ({ ...row, two_factor_enabled: Number(row.two_factor_enabled) }));
    const before = { rows: await counts(), counters: await counters(), search: await searchColumns() };
    expect(before.counters.filter((row) => row.tenant_id === tenant.id)).toEqual([
      { tenant_id: tenant.id, role: 'ADMIN', members: 1, two_factor_enabled: 1 },
      { tenant_id: tenant.id, role: 'AGENT', members: 2, two_factor_enabled: 1 },
      { tenant_id: tenant.id, role: 'OWNER', members: 1, two_factor_enabled: 0 },
    ]);

    const { dataSource } = t.gateway.db;
    const applied = async () => ((await dataSource.query('SELECT name FROM migrations')) as Array<{ name: string }>).map((row) => row.name);
    while ((await applied()).includes('MemberCountsAndSearch1795760000000')) await dataSource.undoLastMigration({ transaction: 'each' });
    expect(await counts()).toEqual(before.rows);
    await dataSource.runMigrations({ transaction: 'each' });
    expect(await counts()).toEqual(before.rows);
    // What the API kept is what the migration computes from the rows.
    expect(await counters()).toEqual(before.counters);
    expect(await searchColumns()).toEqual(before.search);
    const [row] = await query('SELECT search_text, two_factor_enabled FROM tenant_memberships WHERE agent_id = ? AND tenant_id = ?', [enabled.id, tenant.id]);
    expect({ ...row, two_factor_enabled: Number(row.two_factor_enabled) }).toEqual({ search_text: `${enabled.email.toLowerCase()}\nenabled`, two_factor_enabled: 1 });
  });
});
