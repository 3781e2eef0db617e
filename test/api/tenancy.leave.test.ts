// Threat: leaving a tenant leaves a way back in (a standing, a second factor, a workspace membership), strands a
// tenant without an OWNER, or changes anything in another tenant.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AddTenantMemberDocument,
  LeaveTenantDocument,
  MyTwoFactorDocument,
  TenantAgentsDocument,
  TenantDocument,
  TenantsDocument,
} from '../../src/client/generated/graphql';
import { databaseKinds } from '../helpers/databases';
import { addMember, createTenant, enrol, signUp } from '../helpers/fixtures';
import { startTestGateway, TestGateway } from '../helpers/gateway';
import { gramCounters } from '../helpers/search-index';
import { databaseSnapshot } from '../helpers/snapshot';
import { auditActions, enrolledAgent, signInAgain, twoTenants } from '../helpers/two-factor';

describe.each(databaseKinds)('leaveTenant on %s', (kind) => {
  let t: TestGateway;
  beforeAll(async () => {
    t = await startTestGateway(kind);
  });
  afterAll(() => t?.close());

  const count = async (sql: string, params: unknown[]): Promise<number> => Number((await t.gateway.db.manager.query(sql, params))[0].n);

  /** The tenant's counters against its rows. */
  async function expectCountersRight(tenantId: string): Promise<void> {
    const rows: Array<{ role: string; members: unknown; counted: unknown; enabled: unknown; counted_enabled: unknown }> = await t.gateway.db.manager.query(
      `SELECT c.role, c.members, c.two_factor_enabled AS enabled,
              (SELECT COUNT(*) FROM tenant_memberships m WHERE m.tenant_id = c.tenant_id AND m.role = c.role) AS counted,
              (SELECT COUNT(*) FROM tenant_memberships m JOIN authenticators a ON a.tenant_id = m.tenant_id AND a.agent_id = m.agent_id
                WHERE m.tenant_id = c.tenant_id AND m.role = c.role AND a.state = 'ENABLED') AS counted_enabled
         FROM tenant_member_counts c WHERE c.tenant_id = ?`,
      [tenantId],
    );
    for (const row of rows) expect([row.role, Number(row.members), Number(row.enabled)]).toEqual([row.role, Number(row.counted), Number(row.counted_enabled)]);
  }

  it('removes the membership, its workspace memberships, standing and second factors there, keeps the counters and search right, and touches no other tenant', async () => {
    const [a, b] = await twoTenants(t);
    const { agent } = await enrolledAgent(t, a, 'leaver'); // member of both workspaces of A, enrolled there, standing in A
    await addMember(b, agent);
    await enrol(t, agent, b.id);
    const before = { b: await databaseSnapshot(t, ['audit_events', 'sessions', 'mail_outbox']) };
    expect(await count('SELECT COUNT(*) AS n FROM tenant_standings WHERE agent_id = ? AND tenant_id = ? AND revoked_at IS NULL', [agent.id, a.id])).toBeGreaterThan(0);

    expect((await agent.client.ok(LeaveTenantDocument, { tenantId: a.id })).leaveTenant).toBe(true);

    const left = [agent.id, a.id];
    expect(await count('SELECT COUNT(*) AS n FROM tenant_memberships WHERE agent_id = ? AND tenant_id = ?', left)).toBe(0);
    expect(await count('SELECT COUNT(*) AS n FROM workspace_memberships WHERE agent_id = ? AND tenant_id = ?', left)).toBe(0);
    expect(await count('SELECT COUNT(*) AS n FROM authenticators WHERE agent_id = ? AND tenant_id = ?', left)).toBe(0);
    expect(await count('SELECT COUNT(*) AS n FROM recovery_codes WHERE agent_id = ? AND tenant_id = ?', left)).toBe(0);
    expect(await count('SELECT COUNT(*) AS n FROM tenant_standings WHERE agent_id = ? AND tenant_id = ? AND revoked_at IS NULL', left)).toBe(0);
    expect(await count('SELECT COUNT(*) AS n FROM member_search_grams g WHERE g.tenant_id = ? AND g.membership_id NOT IN (SELECT id FROM tenant_memberships)', [a.id])).toBe(0);
    const { kept, counted } = await gramCounters(t);
    expect(kept).toEqual(counted);
    await expectCountersRight(a.id);
    const { tenant } = await a.owner.client.ok(TenantAgentsDocument, { tenantId: a.id, filter: { search: 'leaver' } });
    expect(tenant!.agents.totalCount).toBe(0);
    expect(await auditActions(t, a.id, agent.id)).toContain('MEMBER_LEFT');

    // Tenant A is gone for the agent; tenant B is as it was.
    expect((await agent.client.ok(TenantsDocument)).tenants.map((x) => x.id)).toEqual([b.id]);
    expect((await agent.client.fails(TenantDocument, { id: a.id })).code).toBe('NOT_FOUND');
    expect((await agent.client.ok(MyTwoFactorDocument, { tenantId: b.id })).me?.twoFactor.state).toBe('ENABLED');
    const afterB = await databaseSnapshot(t, ['audit_events', 'sessions', 'mail_outbox']);
    const rowsOf = (snapshot: string, tenantId: string) =>
      Object.fromEntries(Object.entries(JSON.parse(snapshot) as Record<string, Array<Record<string, unknown>>>).map(([table, rows]) => [table, rows.filter((row) => row.tenant_id === tenantId)]));
    expect(rowsOf(afterB, b.id)).toEqual(rowsOf(before.b, b.id));
  });

  it("the tenant's last OWNER cannot leave (LAST_OWNER, nothing changed); with a second OWNER it can", async () => {
    const tenant = await createTenant(t);
    const before = await databaseSnapshot(t);
    const refused = await tenant.owner.client.fails(LeaveTenantDocument, { tenantId: tenant.id });
    expect(refused.code).toBe('LAST_OWNER');
    expect(await databaseSnapshot(t)).toBe(before);

    const second = await signUp(t, 'second-owner');
    await tenant.owner.client.ok(AddTenantMemberDocument, { tenantId: tenant.id, email: second.email, role: 'OWNER' });
    await tenant.owner.client.ok(LeaveTenantDocument, { tenantId: tenant.id });
    await expectCountersRight(tenant.id);
    expect((await second.client.fails(LeaveTenantDocument, { tenantId: tenant.id })).code).toBe('LAST_OWNER');
  });

  // Threat: two owners leaving at once each see the other still there.
  it('two OWNERs leaving at once: exactly one leaves, the other is LAST_OWNER', async () => {
    const tenant = await createTenant(t);
    const second = await signUp(t, 'racing-owner');
    await tenant.owner.client.ok(AddTenantMemberDocument, { tenantId: tenant.id, email: second.email, role: 'OWNER' });
    const results = await Promise.all([tenant.owner, second].map((owner) => owner.client.request(LeaveTenantDocument, { tenantId: tenant.id })));
    expect(results.map((result) => result.errors?.[0]?.extensions?.code ?? 'left').sort()).toEqual(['LAST_OWNER', 'left']);
    expect(await count("SELECT COUNT(*) AS n FROM tenant_memberships WHERE tenant_id = ? AND role = 'OWNER'", [tenant.id])).toBe(1);
    await expectCountersRight(tenant.id);
  });

  it("is NOT_FOUND for a tenant the caller is not in, and meets the tenant's gate like any tenant operation", async () => {
    const [a, b] = await twoTenants(t);
    expect((await a.owner.client.fails(LeaveTenantDocument, { tenantId: b.id })).code).toBe('NOT_FOUND');
    const { agent } = await enrolledAgent(t, a, 'gated');
    const unproven = await signInAgain(t, agent); // enrolled, and this session has not passed the challenge
    const before = await databaseSnapshot(t);
    expect((await unproven.client.fails(LeaveTenantDocument, { tenantId: a.id })).code).toBe('TWO_FACTOR_REQUIRED');
    expect(await databaseSnapshot(t)).toBe(before);
  });
});
