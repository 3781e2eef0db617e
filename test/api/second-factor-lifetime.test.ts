// Threat: a pass answered hours ago keeps a session trusted where the tenant (or the client, with maxAgeSeconds)
// asked for a recent one, in the gateway or in the access tokens downstream services trust.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DisableTwoFactorDocument,
  EnterTenantDocument,
  EnterWorkspaceDocument,
  MintAccessTokenDocument,
  SetTenantSecondFactorLifetimeDocument,
  TenantDocument,
  VerifyTwoFactorDocument,
} from '../../src/client/generated/graphql';
import { expectRefused } from '../helpers/access';
import { introspect, payloadOf, TOKEN_ENV } from '../helpers/access-tokens';
import { databaseKinds } from '../helpers/databases';
import { createTenant, currentCode, enrol, TestAgent, TestTenant } from '../helpers/fixtures';
import { startTestGateway, TestGateway } from '../helpers/gateway';
import { allowRememberedDevices, rememberDevice, signInFromDevice } from '../helpers/remembered-devices';
import { enrolledAgent } from '../helpers/two-factor';

const SECOND = 1000;

describe.each(databaseKinds)('how long a pass lasts on %s', (kind) => {
  let t: TestGateway;
  beforeAll(async () => {
    t = await startTestGateway(kind, TOKEN_ENV);
  });
  afterAll(() => t?.close());

  const moveTo = (epochMs: number) => t.clock.advance(epochMs - t.clock.epochMs);

  /** A tenant with 2FA on whose enrolled owner set `lifetime`, and an agent enrolled (a pass, granted at `passedAt`). */
  async function tenantWithLifetime(lifetime: number | null): Promise<{ tenant: TestTenant; agent: TestAgent; secret: string; passedAt: number }> {
    const tenant = await createTenant(t, { twoFactor: true });
    await enrol(t, tenant.owner, tenant.id);
    await tenant.owner.client.ok(SetTenantSecondFactorLifetimeDocument, { tenantId: tenant.id, seconds: lifetime });
    const passedAt = t.clock.epochMs;
    const { agent, secret } = await enrolledAgent(t, tenant);
    return { tenant, agent, secret, passedAt };
  }

  /** Answers the challenge the session was just given; the instant of that pass. */
  async function answer(session: TestAgent, challengeId: string, secret: string): Promise<number> {
    const passedAt = t.clock.epochMs;
    const { verifyTwoFactor } = await session.client.ok(VerifyTwoFactorDocument, { challengeId, code: currentCode(t, secret) });
    expect(verifyTwoFactor).toMatchObject({ status: 'GRANTED', standing: 'CHALLENGE', secondFactorAt: new Date(passedAt).toISOString() });
    t.clock.advance(30 * SECOND);
    return passedAt;
  }

  it('a tenant’s lifetime: a pass just under it holds, just over it the tenant challenges again within the same session', async () => {
    const { tenant, agent, secret, passedAt } = await tenantWithLifetime(600);
    moveTo(passedAt + 600 * SECOND);
    await agent.client.ok(TenantDocument, { id: tenant.id });
    expect((await agent.client.ok(EnterTenantDocument, { tenantId: tenant.id })).enterTenant).toMatchObject({ status: 'GRANTED', standing: 'CHALLENGE' });

    moveTo(passedAt + 600 * SECOND + 1);
    await expectRefused(t, 'TWO_FACTOR_REQUIRED', () => agent.client.fails(TenantDocument, { id: tenant.id }));
    const { enterTenant } = await agent.client.ok(EnterTenantDocument, { tenantId: tenant.id });
    expect(enterTenant).toMatchObject({ status: 'TWO_FACTOR_CHALLENGE_REQUIRED', standing: null, secondFactorAt: null });
    const passedAgain = await answer(agent, enterTenant.challenge!.id, secret);
    expect((await agent.client.ok(EnterTenantDocument, { tenantId: tenant.id })).enterTenant.secondFactorAt).toBe(new Date(passedAgain).toISOString());
  });

  it('maxAgeSeconds: a pass just under it enters without a challenge, just over it is challenged, and the new pass moves secondFactorAt', async () => {
    const { tenant, agent, secret, passedAt } = await tenantWithLifetime(null);
    moveTo(passedAt + 300 * SECOND);
    expect((await agent.client.ok(EnterTenantDocument, { tenantId: tenant.id, maxAgeSeconds: 300 })).enterTenant).toMatchObject({
      status: 'GRANTED',
      challenge: null,
      secondFactorAt: new Date(passedAt).toISOString(),
    });
    moveTo(passedAt + 300 * SECOND + 1);
    const { enterWorkspace } = await agent.client.ok(EnterWorkspaceDocument, { workspaceId: tenant.secureWorkspaceId, maxAgeSeconds: 300 });
    expect(enterWorkspace).toMatchObject({ status: 'TWO_FACTOR_CHALLENGE_REQUIRED', standing: 'CHALLENGE', secondFactorAt: new Date(passedAt).toISOString() });
    // Without a max age the same standing still enters: only the client asked for a recent pass.
    expect((await agent.client.ok(EnterTenantDocument, { tenantId: tenant.id })).enterTenant.status).toBe('GRANTED');
    const passedAgain = await answer(agent, enterWorkspace.challenge!.id, secret);
    expect((await agent.client.ok(EnterTenantDocument, { tenantId: tenant.id, maxAgeSeconds: 60 })).enterTenant).toMatchObject({
      status: 'GRANTED',
      secondFactorAt: new Date(passedAgain).toISOString(),
    });
    // 0: always a fresh challenge.
    expect((await agent.client.ok(EnterTenantDocument, { tenantId: tenant.id, maxAgeSeconds: 0 })).enterTenant.status).toBe('TWO_FACTOR_CHALLENGE_REQUIRED');
    await expectRefused(t, 'BAD_USER_INPUT', () => agent.client.fails(EnterTenantDocument, { tenantId: tenant.id, maxAgeSeconds: -1 }));
  });

  it('a remembered device vouches again once the lifetime has lapsed its standing', async () => {
    const { tenant, agent, secret } = await tenantWithLifetime(600);
    await allowRememberedDevices(tenant);
    const { deviceToken, passedAt } = await rememberDevice(t, agent, secret, tenant.id);
    const session = await signInFromDevice(t, agent, deviceToken);
    const vouchedAt = t.clock.epochMs;
    expect((await session.client.ok(EnterTenantDocument, { tenantId: tenant.id })).enterTenant.standing).toBe('REMEMBERED_DEVICE');
    moveTo(vouchedAt + 600 * SECOND + 1);
    await expectRefused(t, 'TWO_FACTOR_REQUIRED', () => session.client.fails(TenantDocument, { id: tenant.id }));
    expect((await session.client.ok(EnterTenantDocument, { tenantId: tenant.id })).enterTenant).toMatchObject({
      status: 'GRANTED',
      standing: 'REMEMBERED_DEVICE',
      secondFactorAt: new Date(passedAt).toISOString(),
    });
    await session.client.ok(TenantDocument, { id: tenant.id });
  });

  it('access tokens: no token where the lapsed pass would be challenged, aal1 where it would not; introspection turns an aal2 token inactive', async () => {
    const { tenant, agent, passedAt } = await tenantWithLifetime(600);
    moveTo(passedAt + 599 * SECOND);
    const token = (await agent.client.ok(MintAccessTokenDocument, { tenantId: tenant.id })).mintAccessToken.token;
    expect(payloadOf(token)).toMatchObject({ acr: 'aal2', second_factor_at: Math.floor(passedAt / 1000) });
    expect((await introspect(t.url, token)).body.active).toBe(true);
    moveTo(passedAt + 600 * SECOND + 1);
    expect((await introspect(t.url, token)).body.active).toBe(false);
    await expectRefused(t, 'TWO_FACTOR_REQUIRED', () => agent.client.fails(MintAccessTokenDocument, { tenantId: tenant.id }));

    // The agent turned its 2FA off: entering asks nothing, and the lapsed standing is no second factor.
    const { tenant: other, agent: disabling, passedAt: otherPass } = await tenantWithLifetime(600);
    await disabling.client.ok(DisableTwoFactorDocument, { tenantId: other.id, password: disabling.password });
    expect(payloadOf((await disabling.client.ok(MintAccessTokenDocument, { tenantId: other.id })).mintAccessToken.token)).toMatchObject({ acr: 'aal2' });
    moveTo(otherPass + 600 * SECOND + 1);
    const lapsed = payloadOf((await disabling.client.ok(MintAccessTokenDocument, { tenantId: other.id })).mintAccessToken.token);
    expect(lapsed).toMatchObject({ acr: 'aal1', amr: ['pwd'] });
    expect(lapsed).not.toHaveProperty('second_factor_at');
  });

  it('access tokens of a remembered device: aal2, no factor in amr, second_factor_at the pass it was remembered with', async () => {
    const { tenant, agent, secret } = await tenantWithLifetime(null);
    await allowRememberedDevices(tenant);
    const { deviceToken, passedAt } = await rememberDevice(t, agent, secret, tenant.id);
    t.clock.advance(3_600 * SECOND);
    const session = await signInFromDevice(t, agent, deviceToken);
    expect((await session.client.ok(EnterTenantDocument, { tenantId: tenant.id })).enterTenant.standing).toBe('REMEMBERED_DEVICE');
    const token = (await session.client.ok(MintAccessTokenDocument, { tenantId: tenant.id })).mintAccessToken.token;
    expect(payloadOf(token)).toMatchObject({ acr: 'aal2', amr: ['pwd', 'mfa'], second_factor_at: Math.floor(passedAt / 1000) });
    expect((await introspect(t.url, token)).body.active).toBe(true);
    // A fresh pass asked with maxAgeSeconds: the token then names the factor and the new pass.
    const { enterTenant } = await session.client.ok(EnterTenantDocument, { tenantId: tenant.id, maxAgeSeconds: 60 });
    const passedAgain = await answer(session, enterTenant.challenge!.id, secret);
    const fresh = payloadOf((await session.client.ok(MintAccessTokenDocument, { tenantId: tenant.id })).mintAccessToken.token);
    expect(fresh).toMatchObject({ acr: 'aal2', amr: ['pwd', 'otp', 'mfa'], second_factor_at: Math.floor(passedAgain / 1000) });
  });

  it('lengthening the lifetime (or removing it) is a privileged action; shortening is not; out of range is bad input', async () => {
    const tenant = await createTenant(t, { twoFactor: true });
    const passedAt = t.clock.epochMs;
    await enrol(t, tenant.owner, tenant.id);
    moveTo(passedAt + 16 * 60 * SECOND);
    const set = (seconds: number | null) => tenant.owner.client.fails(SetTenantSecondFactorLifetimeDocument, { tenantId: tenant.id, seconds });
    expect((await tenant.owner.client.ok(SetTenantSecondFactorLifetimeDocument, { tenantId: tenant.id, seconds: 3_600 })).setTenantSecondFactorLifetime.secondFactorLifetimeSeconds).toBe(3_600);
    for (const longer of [3_601, null]) expect((await expectRefused(t, 'TWO_FACTOR_REQUIRED', () => set(longer))).extensions?.maxAgeSeconds).toBe(900);
    for (const bad of [0, -1, 90 * 86_400 + 1]) await expectRefused(t, 'BAD_USER_INPUT', () => set(bad));
    expect((await tenant.owner.client.ok(SetTenantSecondFactorLifetimeDocument, { tenantId: tenant.id, seconds: 1 })).setTenantSecondFactorLifetime.secondFactorLifetimeSeconds).toBe(1);
  });
});
