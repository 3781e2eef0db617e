// Threat: one agent creating tenants and adding members by email in bulk (spam, probing which emails have accounts).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AddTenantMemberDocument, CreateTenantDocument, SignInDocument } from '../../src/client/generated/graphql';
import { databaseKinds } from '../helpers/databases';
import { signUp } from '../helpers/fixtures';
import { startTestGateway, TestGateway } from '../helpers/gateway';
import { rowCount } from '../helpers/snapshot';

describe.each(databaseKinds)('the per-agent budget for tenant changes on %s', (kind) => {
  let t: TestGateway;
  let unlimited: TestGateway;
  beforeAll(async () => {
    t = await startTestGateway(kind, { NODE_ENV: 'production', LOG_LEVEL: 'silent', RATE_LIMIT_TENANT_CHANGES_PER_HOUR: '3' });
    unlimited = await startTestGateway(kind, { NODE_ENV: 'production', LOG_LEVEL: 'silent', RATE_LIMIT_TENANT_CHANGES_PER_HOUR: '0' });
  });
  afterAll(async () => {
    await t?.close();
    await unlimited?.close();
  });

  it('refuses the 4th createTenant/addTenantMember of an hour by one agent, whatever its address, and changes nothing', async () => {
    const actor = await signUp(t, 'actor');
    const [member, another] = [await signUp(t, 'member'), await signUp(t, 'another')];
    const { createTenant: first } = await actor.client.ok(CreateTenantDocument, { name: 'One' });
    await actor.client.ok(CreateTenantDocument, { name: 'Two' });
    await actor.client.ok(AddTenantMemberDocument, { tenantId: first.id, email: member.email, role: 'AGENT' });

    const [tenants, memberships] = [await rowCount(t, 'tenants'), await rowCount(t, 'tenant_memberships')];
    const refusedAdd = await actor.client.fails(AddTenantMemberDocument, { tenantId: first.id, email: another.email, role: 'AGENT' });
    expect(refusedAdd.code).toBe('RATE_LIMITED');
    expect(refusedAdd.extensions!.retryAfterSeconds).toBe(3600);
    expect((await actor.client.fails(CreateTenantDocument, { name: 'Three' })).code).toBe('RATE_LIMITED');
    // A fresh session of the same agent spends from the same budget.
    const { signIn } = await t.client.ok(SignInDocument, { email: actor.email, password: actor.password });
    expect((await t.client.withToken(signIn.token).fails(CreateTenantDocument, { name: 'Four' })).code).toBe('RATE_LIMITED');
    expect([await rowCount(t, 'tenants'), await rowCount(t, 'tenant_memberships')]).toEqual([tenants, memberships]);

    // Other agents have budgets of their own; the actor's comes back after the hour.
    await member.client.ok(CreateTenantDocument, { name: 'Member’s' });
    t.clock.advance(3600_000);
    await actor.client.ok(AddTenantMemberDocument, { tenantId: first.id, email: another.email, role: 'AGENT' });
  });

  it('counts probing for unknown emails too', async () => {
    t.clock.advance(3600_000);
    const actor = await signUp(t, 'prober');
    const { createTenant: tenant } = await actor.client.ok(CreateTenantDocument, { name: 'Probe' });
    for (let i = 0; i < 2; i++) expect((await actor.client.fails(AddTenantMemberDocument, { tenantId: tenant.id, email: `nobody-${i}@example.test`, role: 'AGENT' })).code).toBe('NOT_FOUND');
    expect((await actor.client.fails(AddTenantMemberDocument, { tenantId: tenant.id, email: 'nobody-3@example.test', role: 'AGENT' })).code).toBe('RATE_LIMITED');
  });

  it('has no budget with RATE_LIMIT_TENANT_CHANGES_PER_HOUR=0', async () => {
    const actor = await signUp(unlimited, 'actor');
    for (let i = 0; i < 8; i++) await actor.client.ok(CreateTenantDocument, { name: `Tenant ${i}` });
  });

  it('leaves an anonymous request UNAUTHENTICATED, spending nothing', async () => {
    const buckets = await rowCount(t, 'rate_limit_buckets');
    expect((await t.client.fails(CreateTenantDocument, { name: 'Nobody’s' })).code).toBe('UNAUTHENTICATED');
    expect(await rowCount(t, 'rate_limit_buckets')).toBe(buckets);
  });
});
