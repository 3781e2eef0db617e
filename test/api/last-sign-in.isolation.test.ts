// Threat: any agent creates a tenant, adds a victim by email, and reads when the victim last signed in anywhere.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AddTenantMemberDocument, CreateTenantDocument, EnterTenantDocument, TenantAgentsDocument } from '../../src/client/generated/graphql';
import { databaseKinds } from '../helpers/databases';
import { addMember, createTenant, signUp, TestAgent } from '../helpers/fixtures';
import { startTestGateway, TestGateway } from '../helpers/gateway';
import { signInAgain } from '../helpers/two-factor';

describe.each(databaseKinds)("lastSignIn shows only the tenant's own sign-ins on %s", (kind) => {
  let t: TestGateway;
  beforeAll(async () => {
    t = await startTestGateway(kind, { NODE_ENV: 'production', LOG_LEVEL: 'silent' });
  });
  afterAll(() => t?.close());

  const lastSignInSeenBy = async (admin: TestAgent, tenantId: string, agentId: string) => {
    const { tenant } = await admin.client.ok(TenantAgentsDocument, { tenantId, first: 100 });
    return tenant!.agents.edges.find((edge) => edge.node.agent.id === agentId)!.node.lastSignIn;
  };

  it("tells a fresh tenant's admin nothing of a sign-in that went to another tenant", async () => {
    const home = await createTenant(t);
    const victim = await signUp(t, 'victim');
    await addMember(home, victim);
    t.clock.advance(60_000);
    const signedInAt = t.clock.now().toISOString();
    const session = await signInAgain(t, victim);
    await session.client.ok(EnterTenantDocument, { tenantId: home.id });
    expect(await lastSignInSeenBy(home.owner, home.id, victim.id)).toEqual({ at: signedInAt, usedTwoFactor: false });

    // Anyone may create a tenant and add an agent by email: that tenant sees no sign-in of the victim.
    const attacker = await signUp(t, 'attacker');
    const { createTenant: probe } = await attacker.client.ok(CreateTenantDocument, { name: 'Probe' });
    await attacker.client.ok(AddTenantMemberDocument, { tenantId: probe.id, email: victim.email, role: 'AGENT' });
    expect(await lastSignInSeenBy(attacker, probe.id, victim.id)).toBeNull();

    // Newer sign-ins that enter only the home tenant stay unseen too.
    t.clock.advance(60_000);
    const later = await signInAgain(t, victim);
    await later.client.ok(EnterTenantDocument, { tenantId: home.id });
    expect(await lastSignInSeenBy(attacker, probe.id, victim.id)).toBeNull();
    expect(await lastSignInSeenBy(home.owner, home.id, victim.id)).toMatchObject({ at: t.clock.now().toISOString() });
  });

  it('shows a tenant the latest sign-in that entered it, and an older session entering again does not replace it', async () => {
    const tenant = await createTenant(t);
    const agent = await signUp(t, 'agent');
    await addMember(tenant, agent);
    t.clock.advance(60_000);
    const older = await signInAgain(t, agent);
    t.clock.advance(60_000);
    const newerAt = t.clock.now().toISOString();
    const newer = await signInAgain(t, agent);
    await newer.client.ok(EnterTenantDocument, { tenantId: tenant.id });
    await older.client.ok(EnterTenantDocument, { tenantId: tenant.id });
    t.clock.advance(60_000);
    await signInAgain(t, agent); // the newest sign-in of all, which goes nowhere
    expect(await lastSignInSeenBy(tenant.owner, tenant.id, agent.id)).toEqual({ at: newerAt, usedTwoFactor: false });
  });
});
