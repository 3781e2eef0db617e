// Threat: a remembered device skips a challenge it should not: from another browser, for another tenant or agent,
// with its hash from a database dump, past its days, or after the agent or an admin had it forgotten.
import { print } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AddTenantMemberDocument,
  DisableTwoFactorDocument,
  EnterTenantDocument,
  EnterWorkspaceDocument,
  ForgetRememberedDeviceDocument,
  ForgetRememberedDevicesDocument,
  MyRememberedDevicesDocument,
  ResetAgentTwoFactorDocument,
  RevokeAgentSessionsDocument,
  SetTenantRememberDeviceDaysDocument,
  VerifyTwoFactorDocument,
} from '../../src/client/generated/graphql';
import { expectRefused, passChallenge } from '../helpers/access';
import { databaseKinds } from '../helpers/databases';
import { addMember, createTenant, currentCode, enrol, signUp, TestAgent, TestTenant } from '../helpers/fixtures';
import { startTestGateway, TestGateway } from '../helpers/gateway';
import { allowRememberedDevices, DAY_MS, enterStatus, rememberDevice, signInFromDevice } from '../helpers/remembered-devices';
import { auditActions, enrolledAgent, signInAgain } from '../helpers/two-factor';

describe.each(databaseKinds)('remembered devices on %s', (kind) => {
  let t: TestGateway;
  beforeAll(async () => {
    t = await startTestGateway(kind);
  });
  afterAll(() => t?.close());

  /** A tenant with 2FA on that remembers devices for 30 days, its enrolled owner, and an enrolled member. */
  async function rememberingTenant(days = 30): Promise<{ tenant: TestTenant; ownerSecret: string; agent: TestAgent; secret: string }> {
    const tenant = await createTenant(t, { twoFactor: true });
    const { secret: ownerSecret } = await enrol(t, tenant.owner, tenant.id);
    await allowRememberedDevices(tenant, days);
    const { agent, secret } = await enrolledAgent(t, tenant);
    return { tenant, ownerSecret, agent, secret };
  }

  /** A request as a browser makes it (Origin, cookies), answering the body and the Set-Cookie lines. */
  async function asBrowser(token: string, cookie: string | null, query: string, variables: Record<string, unknown>) {
    const response = await fetch(`${t.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, origin: t.url, ...(cookie ? { cookie } : {}) },
      body: JSON.stringify({ query, variables }),
    });
    return { body: (await response.json()) as { data: Record<string, any>; errors?: unknown[] }, setCookies: response.headers.getSetCookie() };
  }

  it('skips the challenge of a new session on the same device (header), standing REMEMBERED_DEVICE with the pass it was remembered with, audited', async () => {
    const { tenant, agent, secret } = await rememberingTenant();
    const { deviceToken, passedAt } = await rememberDevice(t, agent, secret, tenant.id);
    t.clock.advance(DAY_MS);
    const later = await signInFromDevice(t, agent, deviceToken);
    const { enterWorkspace } = await later.client.ok(EnterWorkspaceDocument, { workspaceId: tenant.secureWorkspaceId });
    expect(enterWorkspace).toMatchObject({ status: 'GRANTED', challenge: null, standing: 'REMEMBERED_DEVICE', secondFactorAt: new Date(passedAt).toISOString() });
    // The session holds the tenant for its other operations too.
    expect((await later.client.ok(EnterTenantDocument, { tenantId: tenant.id })).enterTenant.status).toBe('GRANTED');
    const actions = await auditActions(t, tenant.id, agent.id);
    expect(actions).toContain('DEVICE_REMEMBERED');
    expect(actions.at(-1)).toBe('CHALLENGE_SKIPPED_REMEMBERED_DEVICE');
  });

  it('skips it by the HttpOnly, SameSite=Strict cookie a browser was given, and never puts the secret in a browser’s answer', async () => {
    const { tenant, agent, secret } = await rememberingTenant();
    const first = await signInAgain(t, agent);
    const { enterTenant } = await first.client.ok(EnterTenantDocument, { tenantId: tenant.id });
    const answered = await asBrowser(first.token, null, print(VerifyTwoFactorDocument), {
      challengeId: enterTenant.challenge!.id,
      code: currentCode(t, secret),
      rememberDevice: true,
    });
    t.clock.advance(30_000);
    expect(answered.body.data.verifyTwoFactor).toMatchObject({ status: 'GRANTED', rememberedDeviceToken: null });
    const cookie = answered.setCookies.find((line) => line.startsWith(`gateway_device_${tenant.id}=`))!;
    expect(cookie).toMatch(/; HttpOnly/);
    expect(cookie).toMatch(/; SameSite=Strict/);
    expect(cookie).toMatch(/; Path=\/graphql/);
    expect(cookie).toMatch(/; Expires=/);
    expect(cookie).not.toMatch(/; Secure/); // Secure in production (test/hardening/browser-security.test.ts)

    const later = await signInAgain(t, agent);
    const entered = await asBrowser(later.token, cookie.split(';')[0], print(EnterTenantDocument), { tenantId: tenant.id });
    expect(entered.body.data.enterTenant).toMatchObject({ status: 'GRANTED', standing: 'REMEMBERED_DEVICE' });
    // Without the cookie, the same browser is challenged.
    const other = await signInAgain(t, agent);
    expect((await asBrowser(other.token, null, print(EnterTenantDocument), { tenantId: tenant.id })).body.data.enterTenant.status).toBe('TWO_FACTOR_CHALLENGE_REQUIRED');
  });

  it('does nothing for another device, another tenant or another agent', async () => {
    const { tenant, agent, secret } = await rememberingTenant();
    const { deviceToken } = await rememberDevice(t, agent, secret, tenant.id);
    // Another device: no secret, or one never issued.
    expect(await enterStatus(await signInAgain(t, agent), tenant.id)).toBe('TWO_FACTOR_CHALLENGE_REQUIRED');
    expect(await enterStatus(await signInFromDevice(t, agent, 'A'.repeat(43)), tenant.id)).toBe('TWO_FACTOR_CHALLENGE_REQUIRED');
    // Another tenant of the same agent, which remembers devices too.
    const other = await createTenant(t, { twoFactor: true });
    await enrol(t, other.owner, other.id);
    await allowRememberedDevices(other);
    await other.owner.client.ok(AddTenantMemberDocument, { tenantId: other.id, email: agent.email, role: 'AGENT' });
    await enrol(t, await signInAgain(t, agent), other.id);
    expect(await enterStatus(await signInFromDevice(t, agent, deviceToken), other.id)).toBe('TWO_FACTOR_CHALLENGE_REQUIRED');
    // Another agent of the same tenant, on the same device.
    const { agent: colleague } = await enrolledAgent(t, tenant, 'colleague');
    expect(await enterStatus(await signInFromDevice(t, colleague, deviceToken), tenant.id)).toBe('TWO_FACTOR_CHALLENGE_REQUIRED');
    // The device still works for its own pair.
    expect(await enterStatus(await signInFromDevice(t, agent, deviceToken), tenant.id)).toBe('GRANTED');
  });

  it('does not take the hash the database keeps for the secret', async () => {
    const { tenant, agent, secret } = await rememberingTenant();
    const { deviceToken } = await rememberDevice(t, agent, secret, tenant.id);
    const [row] = await t.gateway.db.manager.query('SELECT secret_hash FROM remembered_devices WHERE agent_id = ?', [agent.id]);
    expect(row.secret_hash).not.toContain(deviceToken);
    for (const stolen of [row.secret_hash, Buffer.from(row.secret_hash, 'hex').toString('base64url')]) {
      expect(await enterStatus(await signInFromDevice(t, agent, stolen), tenant.id)).toBe('TWO_FACTOR_CHALLENGE_REQUIRED');
    }
  });

  it('lasts its days: just under skips, just over challenges', async () => {
    const { tenant, agent, secret } = await rememberingTenant(30);
    const { deviceToken, passedAt } = await rememberDevice(t, agent, secret, tenant.id);
    t.clock.advance(passedAt + 30 * DAY_MS - 1 - t.clock.epochMs);
    expect(await enterStatus(await signInFromDevice(t, agent, deviceToken), tenant.id)).toBe('GRANTED');
    t.clock.advance(1);
    expect(await enterStatus(await signInFromDevice(t, agent, deviceToken), tenant.id)).toBe('TWO_FACTOR_CHALLENGE_REQUIRED');
  });

  it('shortens with the tenant’s days: a device older than the new days stops, a younger one keeps going', async () => {
    const { tenant, ownerSecret, agent, secret } = await rememberingTenant(30);
    const old = await rememberDevice(t, agent, secret, tenant.id);
    t.clock.advance(5 * DAY_MS);
    const young = await rememberDevice(t, agent, secret, tenant.id);
    t.clock.advance(3 * DAY_MS); // old: 8 days, young: 3 days
    const owner = await signInAgain(t, tenant.owner);
    await passChallenge(t, owner, ownerSecret, { tenantId: tenant.id });
    await owner.client.ok(SetTenantRememberDeviceDaysDocument, { tenantId: tenant.id, days: 7 });
    expect(await enterStatus(await signInFromDevice(t, agent, old.deviceToken), tenant.id)).toBe('TWO_FACTOR_CHALLENGE_REQUIRED');
    const fromYoung = await signInFromDevice(t, agent, young.deviceToken);
    expect(await enterStatus(fromYoung, tenant.id)).toBe('GRANTED');
    const { me } = await fromYoung.client.ok(MyRememberedDevicesDocument, { tenantId: tenant.id });
    expect(me!.rememberedDevices.map((device) => Date.parse(device.expiresAt))).toEqual([young.passedAt + 7 * DAY_MS]);
    // The young one ends 7 days after its pass, not the 30 it was remembered for.
    t.clock.advance(young.passedAt + 7 * DAY_MS - 1 - t.clock.epochMs);
    expect(await enterStatus(await signInFromDevice(t, agent, young.deviceToken), tenant.id)).toBe('GRANTED');
    t.clock.advance(1);
    expect(await enterStatus(await signInFromDevice(t, agent, young.deviceToken), tenant.id)).toBe('TWO_FACTOR_CHALLENGE_REQUIRED');
    // Raising the days again lengthens no device: the old one stays ended.
    const owner2 = await signInAgain(t, tenant.owner);
    await passChallenge(t, owner2, ownerSecret, { tenantId: tenant.id });
    await owner2.client.ok(SetTenantRememberDeviceDaysDocument, { tenantId: tenant.id, days: 30 });
    expect(await enterStatus(await signInFromDevice(t, agent, old.deviceToken), tenant.id)).toBe('TWO_FACTOR_CHALLENGE_REQUIRED');
  });

  it('is forgotten by each forgetting event', async () => {
    const { tenant, ownerSecret, agent, secret } = await rememberingTenant();
    const owner = tenant.owner;
    const challenged = async (deviceToken: string) => expect(await enterStatus(await signInFromDevice(t, agent, deviceToken), tenant.id)).toBe('TWO_FACTOR_CHALLENGE_REQUIRED');
    let agentSecret = secret;
    // A fresh device of the agent, and the owner's pass made recent again (the owner's actions are privileged).
    const fresh = async () => {
      const remembered = await rememberDevice(t, agent, agentSecret, tenant.id);
      const { enterTenant } = await owner.client.ok(EnterTenantDocument, { tenantId: tenant.id, maxAgeSeconds: 0 });
      await owner.client.ok(VerifyTwoFactorDocument, { challengeId: enterTenant.challenge!.id, code: currentCode(t, ownerSecret) });
      t.clock.advance(30_000);
      return remembered;
    };

    // forgetRememberedDevice, by the agent
    let device = await fresh();
    const { me } = await device.session.client.ok(MyRememberedDevicesDocument, { tenantId: tenant.id });
    expect(me!.rememberedDevices).toMatchObject([{ current: false }]); // that session sent no secret
    await device.session.client.ok(ForgetRememberedDeviceDocument, { tenantId: tenant.id, deviceId: me!.rememberedDevices[0].id });
    await challenged(device.deviceToken);

    // forgetRememberedDevices
    device = await fresh();
    expect((await device.session.client.ok(ForgetRememberedDevicesDocument, { tenantId: tenant.id })).forgetRememberedDevices).toBe(1);
    await challenged(device.deviceToken);

    // revokeAgentSessions
    device = await fresh();
    await owner.client.ok(RevokeAgentSessionsDocument, { tenantId: tenant.id, agentId: agent.id });
    await challenged(device.deviceToken);

    // the tenant's days set to 0 (and back: the device stays forgotten)
    device = await fresh();
    await owner.client.ok(SetTenantRememberDeviceDaysDocument, { tenantId: tenant.id, days: 0 });
    await owner.client.ok(SetTenantRememberDeviceDaysDocument, { tenantId: tenant.id, days: 30 });
    await challenged(device.deviceToken);

    // disableTwoFactor, then enrolled again
    device = await fresh();
    await device.session.client.ok(DisableTwoFactorDocument, { tenantId: tenant.id, password: agent.password });
    agentSecret = (await enrol(t, await signInAgain(t, agent), tenant.id)).secret;
    await challenged(device.deviceToken);

    // resetAgentTwoFactor, then enrolled again
    device = await fresh();
    await owner.client.ok(ResetAgentTwoFactorDocument, { tenantId: tenant.id, agentId: agent.id });
    agentSecret = (await enrol(t, await signInAgain(t, agent), tenant.id)).secret;
    await challenged(device.deviceToken);
    expect(await t.gateway.db.manager.query('SELECT id FROM remembered_devices WHERE agent_id = ?', [agent.id])).toEqual([]);
  });

  it('lists the caller’s own live devices (the current one marked) and forgets only its own', async () => {
    const { tenant, agent, secret } = await rememberingTenant();
    const { deviceToken } = await rememberDevice(t, agent, secret, tenant.id);
    const fromDevice = await signInFromDevice(t, agent, deviceToken);
    const { me } = await fromDevice.client.ok(MyRememberedDevicesDocument, { tenantId: tenant.id });
    expect(me!.rememberedDevices).toHaveLength(1);
    expect(me!.rememberedDevices[0]).toMatchObject({ current: true, clientIp: expect.stringMatching(/127\.0\.0\.1/), lastUsedAt: null });
    // Another agent's device: NOT_FOUND, nothing changed; another tenant: NOT_FOUND.
    const stranger = await signUp(t, 'stranger');
    await addMember(tenant, stranger);
    await expectRefused(t, 'NOT_FOUND', () => stranger.client.fails(ForgetRememberedDeviceDocument, { tenantId: tenant.id, deviceId: me!.rememberedDevices[0].id }));
    const elsewhere = await createTenant(t);
    await expectRefused(t, 'NOT_FOUND', () => agent.client.fails(MyRememberedDevicesDocument, { tenantId: elsewhere.id }));
    // Forgetting the current device clears its cookie.
    const forgotten = await asBrowser(fromDevice.token, `gateway_device_${tenant.id}=${deviceToken}`, print(ForgetRememberedDeviceDocument), {
      tenantId: tenant.id,
      deviceId: me!.rememberedDevices[0].id,
    });
    expect(forgotten.body.data.forgetRememberedDevice).toBe(true);
    expect(forgotten.setCookies.find((line) => line.startsWith(`gateway_device_${tenant.id}=;`))).toMatch(/Expires=Thu, 01 Jan 1970/);
  });

  it('remembers nothing where the tenant does not (0 days)', async () => {
    const tenant = await createTenant(t, { twoFactor: true });
    const { agent, secret } = await enrolledAgent(t, tenant);
    const session = await signInAgain(t, agent);
    const { enterTenant } = await session.client.ok(EnterTenantDocument, { tenantId: tenant.id });
    const { verifyTwoFactor } = await session.client.ok(VerifyTwoFactorDocument, { challengeId: enterTenant.challenge!.id, code: currentCode(t, secret), rememberDevice: true });
    expect(verifyTwoFactor).toMatchObject({ status: 'GRANTED', rememberedDeviceToken: null });
    expect(await t.gateway.db.manager.query('SELECT id FROM remembered_devices WHERE agent_id = ?', [agent.id])).toEqual([]);
  });

  it('never counts for a privileged action or an enter with maxAgeSeconds', async () => {
    const { tenant, ownerSecret, agent } = await rememberingTenant();
    const { deviceToken } = await rememberDevice(t, tenant.owner, ownerSecret, tenant.id);
    const owner = await signInFromDevice(t, tenant.owner, deviceToken);
    expect(await enterStatus(owner, tenant.id)).toBe('GRANTED');
    const refused = await expectRefused(t, 'TWO_FACTOR_REQUIRED', () => owner.client.fails(ResetAgentTwoFactorDocument, { tenantId: tenant.id, agentId: agent.id }));
    expect(refused.extensions?.maxAgeSeconds).toBe(900);
    const { enterTenant } = await owner.client.ok(EnterTenantDocument, { tenantId: tenant.id, maxAgeSeconds: 86_400 });
    expect(enterTenant).toMatchObject({ status: 'TWO_FACTOR_CHALLENGE_REQUIRED', standing: 'REMEMBERED_DEVICE' });
    await owner.client.ok(VerifyTwoFactorDocument, { challengeId: enterTenant.challenge!.id, code: currentCode(t, ownerSecret) });
    await owner.client.ok(ResetAgentTwoFactorDocument, { tenantId: tenant.id, agentId: agent.id });
  });

  it('raising the days is a privileged action; lowering is not; out of range is bad input', async () => {
    const tenant = await createTenant(t, { twoFactor: true });
    const passedAt = t.clock.epochMs;
    await enrol(t, tenant.owner, tenant.id);
    t.clock.advance(passedAt + 16 * 60_000 - t.clock.epochMs);
    const refused = await expectRefused(t, 'TWO_FACTOR_REQUIRED', () => tenant.owner.client.fails(SetTenantRememberDeviceDaysDocument, { tenantId: tenant.id, days: 1 }));
    expect(refused.extensions?.maxAgeSeconds).toBe(900);
    for (const days of [-1, 91]) {
      await expectRefused(t, 'BAD_USER_INPUT', () => tenant.owner.client.fails(SetTenantRememberDeviceDaysDocument, { tenantId: tenant.id, days }));
    }
    await tenant.owner.client.ok(SetTenantRememberDeviceDaysDocument, { tenantId: tenant.id, days: 0 }); // unchanged, no step-up
  });
});
