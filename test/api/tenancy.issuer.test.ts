import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuditLogDocument, BeginTotpEnrolmentDocument, SetTenantIssuerDocument, TenantDocument } from '../../src/client/generated/graphql';
import { expectRefused, passChallenge } from '../helpers/access';
import { databaseKinds } from '../helpers/databases';
import { addMember, createTenant, signUp, TestTenant } from '../helpers/fixtures';
import { startTestGateway, TestGateway } from '../helpers/gateway';
import { enrolledAgent, signInAgain } from '../helpers/two-factor';

describe.each(databaseKinds)('the tenant issuer on %s', (kind) => {
  let t: TestGateway;
  let tenant: TestTenant;

  const issuerOf = async () => (await tenant.owner.client.ok(TenantDocument, { id: tenant.id })).tenant!.issuer;
  const issuerEvents = async () =>
    (await tenant.owner.client.ok(AuditLogDocument, { tenantId: tenant.id, filter: { actions: ['ISSUER_CHANGED'] } })).tenant!.auditLog.edges.map((edge) => edge.node);

  beforeAll(async () => {
    t = await startTestGateway(kind);
    tenant = await createTenant(t, { twoFactor: true, name: 'Acme Support' });
  });
  afterAll(() => t?.close());

  it('names new enrolments with the new issuer, while authenticators enrolled before go on working', async () => {
    const before = await enrolledAgent(t, tenant, 'before');
    const { setTenantIssuer } = await tenant.owner.client.ok(SetTenantIssuerDocument, { tenantId: tenant.id, issuer: '  Acme Helpdesk (EU)  ' });
    expect(setTenantIssuer.issuer).toBe('Acme Helpdesk (EU)');
    expect(await issuerOf()).toBe('Acme Helpdesk (EU)');

    const after = await signUp(t, 'after');
    await addMember(tenant, after);
    const { beginTotpEnrolment } = await after.client.ok(BeginTotpEnrolmentDocument, { tenantId: tenant.id, password: after.password });
    const uri = new URL(beginTotpEnrolment.otpauthUri);
    expect([uri.host, decodeURIComponent(uri.pathname)]).toEqual(['totp', `/Acme Helpdesk (EU):${after.email}`]);
    expect(uri.searchParams.get('issuer')).toBe('Acme Helpdesk (EU)');

    // The secret of an entry scanned under the old name is unchanged: its codes still pass the challenge.
    await passChallenge(t, await signInAgain(t, before.agent), before.secret, { tenantId: tenant.id });
  });

  it('records ISSUER_CHANGED with the admin who changed it, once per actual change', async () => {
    const count = (await issuerEvents()).length;
    await tenant.owner.client.ok(SetTenantIssuerDocument, { tenantId: tenant.id, issuer: 'Acme Desk' });
    await tenant.owner.client.ok(SetTenantIssuerDocument, { tenantId: tenant.id, issuer: 'Acme Desk' });
    const events = await issuerEvents();
    expect(events).toHaveLength(count + 1);
    expect(events[0].actor?.id).toBe(tenant.owner.id);
  });

  it('accepts 200 code points, and refuses a colon, more than 200 code points, blanks and control characters as bad input', async () => {
    const twoHundredEmoji = '🔐'.repeat(200);
    expect((await tenant.owner.client.ok(SetTenantIssuerDocument, { tenantId: tenant.id, issuer: twoHundredEmoji })).setTenantIssuer.issuer).toBe(twoHundredEmoji);
    expect(await issuerOf()).toBe(twoHundredEmoji);
    for (const issuer of ['Acme:Support', 'x'.repeat(201), '🔐'.repeat(201), '   ', '', 'Acme\u0007']) {
      await expectRefused(t, 'BAD_USER_INPUT', () => tenant.owner.client.fails(SetTenantIssuerDocument, { tenantId: tenant.id, issuer }));
    }
  });

  it('is for owners and admins of the tenant only', async () => {
    const agent = await signUp(t, 'agent');
    await addMember(tenant, agent);
    await expectRefused(t, 'FORBIDDEN', () => agent.client.fails(SetTenantIssuerDocument, { tenantId: tenant.id, issuer: 'Hijacked' }));
    const other = await createTenant(t);
    await expectRefused(t, 'NOT_FOUND', () => other.owner.client.fails(SetTenantIssuerDocument, { tenantId: tenant.id, issuer: 'Hijacked' }));
  });
});
