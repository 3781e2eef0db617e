// Threat: a remembered device outlives a password change or reset (the account's other ways in are meant to end
// with it), or its agent leaving the tenant.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChangePasswordDocument, LeaveTenantDocument, RequestPasswordResetDocument, ResetPasswordDocument, AddTenantMemberDocument } from '../../src/client/generated/graphql';
import { linkToken, startGatewayWithMail } from '../helpers/account-mail';
import { databaseKinds } from '../helpers/databases';
import { createTenant, enrol, TestTenant } from '../helpers/fixtures';
import type { TestGateway } from '../helpers/gateway';
import type { TestMailServer } from '../helpers/mail-server';
import { allowRememberedDevices, enterStatus, rememberDevice, signInFromDevice } from '../helpers/remembered-devices';
import { enrolledAgent, EnrolledAgent } from '../helpers/two-factor';

describe.each(databaseKinds)('remembered devices and the account on %s', (kind) => {
  let gateway: Awaited<ReturnType<typeof startGatewayWithMail>>;
  let t: TestGateway;
  let mail: TestMailServer;
  beforeAll(async () => {
    gateway = await startGatewayWithMail(kind);
    ({ t, mail } = gateway);
  });
  afterAll(() => gateway?.close());

  /** A tenant remembering devices for 30 days, and an enrolled agent with a device remembered there. */
  async function rememberedAgent(): Promise<{ tenant: TestTenant; enrolled: EnrolledAgent; deviceToken: string }> {
    const tenant = await createTenant(t, { twoFactor: true });
    await enrol(t, tenant.owner, tenant.id);
    await allowRememberedDevices(tenant);
    const enrolled = await enrolledAgent(t, tenant);
    const { deviceToken } = await rememberDevice(t, enrolled.agent, enrolled.secret, tenant.id);
    expect(await enterStatus(await signInFromDevice(t, enrolled.agent, deviceToken), tenant.id)).toBe('GRANTED');
    return { tenant, enrolled, deviceToken };
  }

  const devicesOf = async (agentId: string) => (await t.gateway.db.manager.query('SELECT id FROM remembered_devices WHERE agent_id = ?', [agentId])).length;

  it('a password change forgets every remembered device of the agent', async () => {
    const { tenant, enrolled, deviceToken } = await rememberedAgent();
    // The change needs a recent pass by challenge: the session that enrolled has one.
    await enrolled.agent.client.ok(ChangePasswordDocument, { currentPassword: enrolled.agent.password, newPassword: 'a changed passphrase' });
    expect(await devicesOf(enrolled.agent.id)).toBe(0);
    const again = { ...enrolled.agent, password: 'a changed passphrase' };
    expect(await enterStatus(await signInFromDevice(t, again, deviceToken), tenant.id)).toBe('TWO_FACTOR_CHALLENGE_REQUIRED');
  });

  it('a password reset forgets every remembered device of the agent', async () => {
    const { tenant, enrolled, deviceToken } = await rememberedAgent();
    await t.client.ok(RequestPasswordResetDocument, { email: enrolled.agent.email });
    const token = linkToken(t, await mail.waitFor(enrolled.agent.email, /Reset your password/), '/reset-password');
    await t.client.ok(ResetPasswordDocument, { token, newPassword: 'a reset passphrase' });
    expect(await devicesOf(enrolled.agent.id)).toBe(0);
    const again = { ...enrolled.agent, password: 'a reset passphrase' };
    expect(await enterStatus(await signInFromDevice(t, again, deviceToken), tenant.id)).toBe('TWO_FACTOR_CHALLENGE_REQUIRED');
  });

  it('leaving the tenant forgets the devices remembered there; coming back, the device is challenged', async () => {
    const { tenant, enrolled, deviceToken } = await rememberedAgent();
    await enrolled.agent.client.ok(LeaveTenantDocument, { tenantId: tenant.id });
    expect(await devicesOf(enrolled.agent.id)).toBe(0);
    await tenant.owner.client.ok(AddTenantMemberDocument, { tenantId: tenant.id, email: enrolled.agent.email, role: 'AGENT' });
    await enrol(t, enrolled.agent, tenant.id);
    expect(await enterStatus(await signInFromDevice(t, enrolled.agent, deviceToken), tenant.id)).toBe('TWO_FACTOR_CHALLENGE_REQUIRED');
  });
});
