// Threat: a session whose second factor was answered long ago (a laptop left open, a stolen session and password)
// weakens the tenant's 2FA or reads the recovery codes that stand in for the factor, without answering it again.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ChangePasswordDocument,
  EnterTenantDocument,
  ResetAgentTwoFactorDocument,
  SetTenantRecoveryCodeVisibilityDocument,
  SetTenantRememberDeviceDaysDocument,
  SetTenantTwoFactorDocument,
  SetTenantTwoFactorPolicyDocument,
  VerifyTwoFactorDocument,
  ViewRecoveryCodesDocument,
} from '../../src/client/generated/graphql';
import { expectRefused } from '../helpers/access';
import { databaseKinds } from '../helpers/databases';
import { addMember, createTenant, currentCode, enrol, signUp, TestAgent, TestTenant } from '../helpers/fixtures';
import { startTestGateway, TestGateway } from '../helpers/gateway';
import { rememberDevice, signInFromDevice } from '../helpers/remembered-devices';
import { signInAgain } from '../helpers/two-factor';

const MINUTE = 60_000;

describe.each(databaseKinds)('privileged actions on %s', (kind) => {
  let t: TestGateway;
  beforeAll(async () => {
    t = await startTestGateway(kind);
  });
  afterAll(() => t?.close());

  /** A tenant with 2FA on whose owner enrolled (a pass by challenge, now) and two enrolled agents; the instant of the owner's pass. */
  async function tenantWithPass(): Promise<{ tenant: TestTenant; ownerSecret: string; agents: TestAgent[]; passedAt: number }> {
    const tenant = await createTenant(t, { twoFactor: true });
    const agents = [await signUp(t, 'agent'), await signUp(t, 'agent')];
    for (const agent of agents) {
      await addMember(tenant, agent);
      await enrol(t, agent, tenant.id);
    }
    const passedAt = t.clock.epochMs;
    const { secret: ownerSecret } = await enrol(t, tenant.owner, tenant.id);
    return { tenant, ownerSecret, agents, passedAt };
  }

  const moveTo = (epochMs: number) => t.clock.advance(epochMs - t.clock.epochMs);

  it('lets a weakening action through 14 minutes after the pass, refuses it at 16 with maxAgeSeconds and changes nothing; one fresh challenge lets it through', async () => {
    const { tenant, ownerSecret, agents, passedAt } = await tenantWithPass();
    moveTo(passedAt + 14 * MINUTE);
    await tenant.owner.client.ok(ResetAgentTwoFactorDocument, { tenantId: tenant.id, agentId: agents[0].id });

    moveTo(passedAt + 16 * MINUTE);
    const refused = await expectRefused(t, 'TWO_FACTOR_REQUIRED', () => tenant.owner.client.fails(ResetAgentTwoFactorDocument, { tenantId: tenant.id, agentId: agents[1].id }));
    expect(refused.extensions?.maxAgeSeconds).toBe(900);

    // What a client does on that refusal: enter with the max age, answer once, retry.
    const { enterTenant } = await tenant.owner.client.ok(EnterTenantDocument, { tenantId: tenant.id, maxAgeSeconds: 900 });
    expect(enterTenant.status).toBe('TWO_FACTOR_CHALLENGE_REQUIRED');
    expect(enterTenant.standing).toBe('CHALLENGE');
    expect(Date.parse(enterTenant.secondFactorAt!)).toBe(passedAt);
    const { verifyTwoFactor } = await tenant.owner.client.ok(VerifyTwoFactorDocument, { challengeId: enterTenant.challenge!.id, code: currentCode(t, ownerSecret) });
    expect(verifyTwoFactor).toMatchObject({ status: 'GRANTED', standing: 'CHALLENGE', secondFactorAt: new Date(t.clock.epochMs).toISOString() });
    expect((await tenant.owner.client.ok(ResetAgentTwoFactorDocument, { tenantId: tenant.id, agentId: agents[1].id })).resetAgentTwoFactor.state).toBe('NOT_CONFIGURED');
  });

  it('judges the toggles and the policy on the pass read under the tenant lock: TWO_FACTOR_REQUIRED with maxAgeSeconds at 16 minutes', async () => {
    const { tenant, passedAt } = await tenantWithPass();
    await tenant.owner.client.ok(SetTenantTwoFactorPolicyDocument, { tenantId: tenant.id, policy: 'REQUIRED_FOR_ADMINS' });
    moveTo(passedAt + 16 * MINUTE);
    const relax = await expectRefused(t, 'TWO_FACTOR_REQUIRED', () => tenant.owner.client.fails(SetTenantTwoFactorPolicyDocument, { tenantId: tenant.id, policy: 'OPTIONAL' }));
    expect(relax.extensions?.maxAgeSeconds).toBe(900);
    const viewable = await expectRefused(t, 'TWO_FACTOR_REQUIRED', () =>
      tenant.owner.client.fails(SetTenantRecoveryCodeVisibilityDocument, { tenantId: tenant.id, visibility: 'VIEWABLE', replenish: false }),
    );
    expect(viewable.extensions?.maxAgeSeconds).toBe(900);
    // Strengthening asks for nothing more than standing: the same old pass still requires 2FA of everyone.
    await tenant.owner.client.ok(SetTenantTwoFactorPolicyDocument, { tenantId: tenant.id, policy: 'REQUIRED_FOR_EVERYONE' });
  });

  it('shows recovery codes again only within 15 minutes of a pass in this session', async () => {
    const tenant = await createTenant(t, { twoFactor: true });
    await enrol(t, tenant.owner, tenant.id);
    await tenant.owner.client.ok(SetTenantRecoveryCodeVisibilityDocument, { tenantId: tenant.id, visibility: 'VIEWABLE', replenish: false });
    const agent = await signUp(t, 'agent');
    await addMember(tenant, agent);
    const passedAt = t.clock.epochMs;
    await enrol(t, agent, tenant.id);

    moveTo(passedAt + 14 * MINUTE);
    expect((await agent.client.ok(ViewRecoveryCodesDocument, { tenantId: tenant.id, password: agent.password })).viewRecoveryCodes.codes).toHaveLength(8);
    moveTo(passedAt + 16 * MINUTE);
    const refused = await expectRefused(t, 'TWO_FACTOR_REQUIRED', () => agent.client.fails(ViewRecoveryCodesDocument, { tenantId: tenant.id, password: agent.password }));
    expect(refused.extensions?.maxAgeSeconds).toBe(900);
  });

  it('asks nothing of a tenant without 2FA, or of a member with no second factor there', async () => {
    const tenant = await createTenant(t);
    const agent = await signUp(t, 'agent');
    await addMember(tenant, agent);
    t.clock.advance(60 * MINUTE);
    await tenant.owner.client.ok(ResetAgentTwoFactorDocument, { tenantId: tenant.id, agentId: agent.id });
    await tenant.owner.client.ok(SetTenantTwoFactorDocument, { tenantId: tenant.id, enabled: false });
  });

  it('takes the max age from PRIVILEGED_MAX_AGE_SECONDS', async () => {
    const short = await startTestGateway(kind, { PRIVILEGED_MAX_AGE_SECONDS: '5' });
    try {
      const tenant = await createTenant(short, { twoFactor: true });
      const agent = await signUp(short, 'agent');
      await addMember(tenant, agent);
      const passedAt = short.clock.epochMs;
      await enrol(short, tenant.owner, tenant.id);
      short.clock.advance(passedAt + 5_000 - short.clock.epochMs);
      await tenant.owner.client.ok(SetTenantTwoFactorPolicyDocument, { tenantId: tenant.id, policy: 'REQUIRED_FOR_ADMINS' });
      await tenant.owner.client.ok(SetTenantTwoFactorPolicyDocument, { tenantId: tenant.id, policy: 'OPTIONAL' });
      short.clock.advance(1);
      const refused = await tenant.owner.client.fails(ResetAgentTwoFactorDocument, { tenantId: tenant.id, agentId: agent.id });
      expect(refused).toMatchObject({ code: 'TWO_FACTOR_REQUIRED', extensions: { maxAgeSeconds: 5 } });
    } finally {
      await short.close();
    }
  });

  it('changing the password wants a recent pass in a tenant where a factor is in force, names those tenants, and changes nothing without it', async () => {
    const [a, off] = [await createTenant(t, { twoFactor: true }), await createTenant(t)];
    const agent = await signUp(t, 'agent');
    for (const tenant of [a, off]) await addMember(tenant, agent);
    const change = (password: string) => agent.client.request(ChangePasswordDocument, { currentPassword: agent.password, newPassword: password });
    // No factor in force anywhere: the password alone.
    expect((await change('a first new passphrase')).errors).toBeUndefined();
    agent.password = 'a first new passphrase';
    const passedAt = t.clock.epochMs;
    const { secret } = await enrol(t, agent, a.id);
    moveTo(passedAt + 14 * MINUTE);
    expect((await change('a second new passphrase')).errors).toBeUndefined();
    agent.password = 'a second new passphrase';

    moveTo(passedAt + 16 * MINUTE);
    const refused = await expectRefused(t, 'TWO_FACTOR_REQUIRED', () => agent.client.fails(ChangePasswordDocument, { currentPassword: agent.password, newPassword: 'a third new passphrase' }));
    expect(refused.extensions).toMatchObject({ maxAgeSeconds: 900, tenantIds: [a.id] });
    // Decided before the password: a wrong one gets the same answer, and no REAUTH_FAILED is written.
    await expectRefused(t, 'TWO_FACTOR_REQUIRED', () => agent.client.fails(ChangePasswordDocument, { currentPassword: 'not the password', newPassword: 'a third new passphrase' }));

    const { enterTenant } = await agent.client.ok(EnterTenantDocument, { tenantId: a.id, maxAgeSeconds: 900 });
    await agent.client.ok(VerifyTwoFactorDocument, { challengeId: enterTenant.challenge!.id, code: currentCode(t, secret) });
    expect((await change('a third new passphrase')).errors).toBeUndefined();
  });

  it('changing the password: a remembered device never counts, and a factor in a tenant whose 2FA is off asks nothing', async () => {
    const tenant = await createTenant(t); // no workspace requires 2FA, so the tenant can turn it off below
    await tenant.owner.client.ok(SetTenantTwoFactorDocument, { tenantId: tenant.id, enabled: true });
    const { secret: ownerSecret } = await enrol(t, tenant.owner, tenant.id);
    await tenant.owner.client.ok(SetTenantRememberDeviceDaysDocument, { tenantId: tenant.id, days: 30 });
    const agent = await signUp(t, 'agent');
    await addMember(tenant, agent);
    const { secret } = await enrol(t, agent, tenant.id);
    const { deviceToken } = await rememberDevice(t, agent, secret, tenant.id);
    const fromDevice = await signInFromDevice(t, agent, deviceToken);
    expect((await fromDevice.client.ok(EnterTenantDocument, { tenantId: tenant.id })).enterTenant.standing).toBe('REMEMBERED_DEVICE');
    const refused = await expectRefused(t, 'TWO_FACTOR_REQUIRED', () => fromDevice.client.fails(ChangePasswordDocument, { currentPassword: agent.password, newPassword: 'a device-only passphrase' }));
    expect(refused.extensions).toMatchObject({ maxAgeSeconds: 900, tenantIds: [tenant.id] });

    // The owner turns the tenant's 2FA off (with a recent pass): the agent's factor is dormant, nothing to ask.
    const owner = await signInAgain(t, tenant.owner);
    const { enterTenant } = await owner.client.ok(EnterTenantDocument, { tenantId: tenant.id });
    await owner.client.ok(VerifyTwoFactorDocument, { challengeId: enterTenant.challenge!.id, code: currentCode(t, ownerSecret) });
    await owner.client.ok(SetTenantTwoFactorDocument, { tenantId: tenant.id, enabled: false });
    await fromDevice.client.ok(ChangePasswordDocument, { currentPassword: agent.password, newPassword: 'a device-only passphrase' });
  });
});
