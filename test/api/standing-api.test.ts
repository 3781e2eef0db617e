// Threat: the capabilities that grant standing or ask for a privileged pass outside GraphQL resolvers of this
// folder (device sign-in, single sign-on, the password change) hand on a pass that no longer stands, or let an
// old pass through.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EnterTenantDocument, MintAccessTokenDocument, MySessionsDocument, RevokeAgentSessionsDocument, SetTenantSecondFactorLifetimeDocument } from '../../src/client/generated/graphql';
import type { SessionIdentity } from '../../src/accounts/session-identity';
import { Loaders } from '../../src/loaders';
import { grantStanding, handOverStanding } from '../../src/two-factor/standing';
import { payloadOf } from '../helpers/access-tokens';
import { databaseKinds } from '../helpers/databases';
import { addMember, createTenant, enrol, signUp, TestAgent } from '../helpers/fixtures';
import { startTestGateway, TestGateway } from '../helpers/gateway';
import { allowRememberedDevices, rememberDevice, signInFromDevice } from '../helpers/remembered-devices';
import { enrolledAgent, signInAgain } from '../helpers/two-factor';

describe.each(databaseKinds)('granting standing and asking for a privileged pass from other capabilities on %s', (kind) => {
  let t: TestGateway;
  beforeAll(async () => {
    t = await startTestGateway(kind);
  });
  afterAll(() => t?.close());

  /** The session a signed-in test agent uses, as a service sees it. */
  async function identityOf(agent: TestAgent): Promise<SessionIdentity> {
    const { me } = await agent.client.ok(MySessionsDocument);
    return { sessionId: me!.sessions.find((session) => session.current)!.id, agentId: agent.id, clientIp: '127.0.0.1', userAgent: null };
  }

  const handOver = (from: SessionIdentity, to: SessionIdentity, tenantId: string) =>
    t.gateway.db.transaction((tx) => handOverStanding(tx, from.sessionId, to, tenantId, t.clock.now()));

  it('hands a challenge pass on as DEVICE_APPROVAL with its own instant, and nothing else', async () => {
    const tenant = await createTenant(t, { twoFactor: true });
    await enrol(t, tenant.owner, tenant.id);
    const { agent, secret } = await enrolledAgent(t, tenant);
    const approving = await identityOf(agent);
    const { enterTenant: before } = await agent.client.ok(EnterTenantDocument, { tenantId: tenant.id });
    const device = await signInAgain(t, agent);
    expect(await handOver(approving, await identityOf(device), tenant.id)).toBe(true);
    expect((await device.client.ok(EnterTenantDocument, { tenantId: tenant.id })).enterTenant).toMatchObject({
      status: 'GRANTED',
      standing: 'DEVICE_APPROVAL',
      secondFactorAt: before.secondFactorAt,
    });
    // A device approval is no pass of this session: never enough for a max age, and never handed on again.
    expect((await device.client.ok(EnterTenantDocument, { tenantId: tenant.id, maxAgeSeconds: 3600 })).enterTenant.status).toBe('TWO_FACTOR_CHALLENGE_REQUIRED');
    expect(await handOver(await identityOf(device), await identityOf(await signInAgain(t, agent)), tenant.id)).toBe(false);
    // Nor a remembered device's standing.
    await allowRememberedDevices(tenant);
    const { deviceToken } = await rememberDevice(t, agent, secret, tenant.id);
    const remembered = await signInFromDevice(t, agent, deviceToken);
    expect((await remembered.client.ok(EnterTenantDocument, { tenantId: tenant.id })).enterTenant.standing).toBe('REMEMBERED_DEVICE');
    expect(await handOver(await identityOf(remembered), await identityOf(await signInAgain(t, agent)), tenant.id)).toBe(false);
  });

  it('hands on nothing once the pass was revoked or has lapsed', async () => {
    const tenant = await createTenant(t, { twoFactor: true });
    await enrol(t, tenant.owner, tenant.id);
    const { agent } = await enrolledAgent(t, tenant);
    const approving = await identityOf(agent);
    await tenant.owner.client.ok(SetTenantSecondFactorLifetimeDocument, { tenantId: tenant.id, seconds: 60 });
    t.clock.advance(61_000);
    expect(await handOver(approving, await identityOf(await signInAgain(t, agent)), tenant.id)).toBe(false);

    const other = await createTenant(t, { twoFactor: true });
    await enrol(t, other.owner, other.id);
    const { agent: revoked } = await enrolledAgent(t, other);
    const revokedSession = await identityOf(revoked);
    await other.owner.client.ok(RevokeAgentSessionsDocument, { tenantId: other.id, agentId: revoked.id });
    expect(await handOver(revokedSession, await identityOf(await signInAgain(t, revoked)), other.id)).toBe(false);
  });

  it("grants the identity provider's standing: aal2, mfa without a factor of the gateway's", async () => {
    const tenant = await createTenant(t, { twoFactor: true });
    await enrol(t, tenant.owner, tenant.id);
    const { agent } = await enrolledAgent(t, tenant);
    const sso = await signInAgain(t, agent);
    const now = t.clock.now();
    const identity = await identityOf(sso);
    await t.gateway.db.transaction((tx) => grantStanding(tx, identity, tenant.id, { source: 'IDENTITY_PROVIDER', method: 'PROVIDER', passedAt: now }, now));
    expect((await sso.client.ok(EnterTenantDocument, { tenantId: tenant.id })).enterTenant).toMatchObject({ status: 'GRANTED', standing: 'IDENTITY_PROVIDER' });
    expect(payloadOf((await sso.client.ok(MintAccessTokenDocument, { tenantId: tenant.id })).mintAccessToken.token)).toMatchObject({ acr: 'aal2', amr: ['pwd', 'mfa'] });
  });

  it('asks an action that names no tenant for a recent pass in any tenant where a factor is in force', async () => {
    const [a, b, off] = [await createTenant(t, { twoFactor: true }), await createTenant(t, { twoFactor: true }), await createTenant(t)];
    const agent = await signUp(t, 'agent');
    for (const tenant of [a, b, off]) await addMember(tenant, agent);
    const privileged = async (session: TestAgent) => {
      const loaders = new Loaders(t.gateway.db, await identityOf(session), t.clock);
      return t.gateway.services.gate.assertPrivilegedInAnyTenant(loaders, [a.id, b.id, off.id]).then(
        () => 'allowed',
        (error: { code?: string; details?: Record<string, unknown> }) => ({ code: error.code, ...error.details }),
      );
    };
    // No factor in force anywhere: nothing to ask.
    expect(await privileged(agent)).toBe('allowed');
    const passedAt = t.clock.epochMs;
    await enrol(t, agent, b.id); // a pass in B, by this session
    expect(await privileged(agent)).toBe('allowed');
    t.clock.advance(passedAt + 901_000 - t.clock.epochMs);
    expect(await privileged(agent)).toEqual({ code: 'TWO_FACTOR_REQUIRED', maxAgeSeconds: 900, tenantIds: [b.id] });
    // Another session, without any pass: refused, naming the tenants where a pass would do.
    await enrol(t, agent, a.id);
    expect(await privileged(await signInAgain(t, agent))).toEqual({ code: 'TWO_FACTOR_REQUIRED', maxAgeSeconds: 900, tenantIds: expect.arrayContaining([a.id, b.id]) });
  });
});
