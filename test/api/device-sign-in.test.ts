// Threat: a terminal signed in through someone's browser gets more than that browser holds (a tenant's standing
// without a recent pass of its factor), a code is used twice or guessed, or a phished approval hands an attacker's
// terminal the victim's second factor.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ApproveDeviceSignInDocument,
  BeginDeviceSignInDocument,
  DenyDeviceSignInDocument,
  DeviceSignInRequestDocument,
  EnterTenantDocument,
  MySessionsDocument,
  PollDeviceSignInDocument,
  RevokeAgentSessionsDocument,
  VerifyTwoFactorDocument,
} from '../../src/client/generated/graphql';
import { expectRefused } from '../helpers/access';
import type { GraphQLClient } from '../helpers/client';
import { databaseKinds } from '../helpers/databases';
import { addMember, createTenant, currentCode, enrol, signUp, TestAgent } from '../helpers/fixtures';
import { startTestGateway, TestGateway } from '../helpers/gateway';
import { allowRememberedDevices, rememberDevice, signInFromDevice } from '../helpers/remembered-devices';
import { auditActions, signInAgain } from '../helpers/two-factor';

const MINUTE = 60_000;
const INTERVAL_MS = 5_000;
const USER_CODE = /^[BCDFGHJKLMNPQRSTVWXZ]{4}-[BCDFGHJKLMNPQRSTVWXZ]{4}$/;
const DEVICE_AGENT = 'tenant-2fa (Node.js test)';

describe.each(databaseKinds)('device sign-in on %s', (kind) => {
  let t: TestGateway;
  let device: GraphQLClient;
  beforeAll(async () => {
    t = await startTestGateway(kind);
    device = t.client.withHeaders({ 'user-agent': DEVICE_AGENT });
  });
  afterAll(() => t?.close());

  async function begin(tenantId?: string, clientName = 'tenant-2fa on build-01') {
    return (await device.ok(BeginDeviceSignInDocument, { clientName, tenantId })).beginDeviceSignIn;
  }

  /** Polls after the interval has passed, as a well-behaved device does. */
  async function poll(deviceCode: string) {
    t.clock.advance(INTERVAL_MS);
    return device.request(PollDeviceSignInDocument, { deviceCode });
  }

  const codeOf = (result: { errors?: Array<{ extensions?: { code?: string } }> }) => result.errors?.[0]?.extensions?.code;

  /** An agent enrolled in a 2FA tenant; its session passed the challenge just now (enrolment). */
  async function enrolledMember() {
    const tenant = await createTenant(t, { twoFactor: true });
    const agent = await signUp(t, 'agent');
    await addMember(tenant, agent);
    const { secret } = await enrol(t, agent, tenant.id);
    return { tenant, agent, secret };
  }

  it('begins with a secret device code, a XXXX-XXXX user code, the console page, 10 minutes and a 5 s interval; keeps only hashes', async () => {
    const begun = await begin();
    expect(begun.userCode).toMatch(USER_CODE);
    expect(begun.deviceCode.length).toBeGreaterThanOrEqual(43); // 256 bits, base64url
    expect(begun.interval).toBe(5);
    expect(Date.parse(begun.expiresAt)).toBe(t.clock.epochMs + 10 * MINUTE);
    // On PUBLIC_URL (here the development default), the console's page.
    expect(begun.verificationUri).toBe('http://localhost:4000/device');
    expect(begun.verificationUriComplete).toBe(`http://localhost:4000/device?code=${begun.userCode}`);
    const rows: Array<Record<string, unknown>> = await t.gateway.db.manager.query('SELECT * FROM device_sign_ins');
    const stored = JSON.stringify(rows);
    expect(stored).not.toContain(begun.deviceCode);
    expect(stored).not.toContain(begun.userCode.replace('-', ''));
    expect(stored).not.toContain(begun.userCode);
  });

  it('answers AUTHORIZATION_PENDING at the interval, SLOW_DOWN sooner, then the session once approved, and INVALID_TOKEN for every later poll', async () => {
    const agent = await signUp(t, 'agent');
    const begun = await begin();
    expect(codeOf(await poll(begun.deviceCode))).toBe('AUTHORIZATION_PENDING');
    t.clock.advance(1_000);
    const tooSoon = await device.request(PollDeviceSignInDocument, { deviceCode: begun.deviceCode });
    expect(tooSoon.errors?.[0]?.extensions).toMatchObject({ code: 'SLOW_DOWN', interval: 5 });
    expect(codeOf(await poll(begun.deviceCode))).toBe('AUTHORIZATION_PENDING');

    const { deviceSignInRequest } = await agent.client.ok(DeviceSignInRequestDocument, { userCode: begun.userCode.toLowerCase().replace('-', ' ') });
    expect(deviceSignInRequest).toMatchObject({ userCode: begun.userCode, clientName: 'tenant-2fa on build-01', clientIp: '127.0.0.1', userAgent: DEVICE_AGENT, tenant: null });
    expect(await agent.client.ok(ApproveDeviceSignInDocument, { userCode: begun.userCode })).toEqual({ approveDeviceSignIn: true });

    const signedIn = await poll(begun.deviceCode);
    expect(signedIn.errors).toBeUndefined();
    const session = signedIn.data!.pollDeviceSignIn;
    expect(session.agent).toEqual({ id: agent.id, email: agent.email });
    const { me } = await t.client.withToken(session.token).ok(MySessionsDocument, {});
    const current = me!.sessions.find((s) => s.current)!;
    expect(current).toMatchObject({ clientName: 'tenant-2fa on build-01', userAgent: DEVICE_AGENT, clientIp: '127.0.0.1' });
    // The approving browser's own session names no client.
    expect((await agent.client.ok(MySessionsDocument, {})).me!.sessions.find((s) => s.current)!.clientName).toBeNull();

    expect(codeOf(await poll(begun.deviceCode))).toBe('INVALID_TOKEN');
    expect(codeOf(await poll(begun.deviceCode))).toBe('INVALID_TOKEN');
    await expectRefused(t, 'INVALID_TOKEN', () => agent.client.fails(ApproveDeviceSignInDocument, { userCode: begun.userCode }));
    expect((await agent.client.ok(DeviceSignInRequestDocument, { userCode: begun.userCode })).deviceSignInRequest).toBeNull();
  });

  it('answers ACCESS_DENIED after a denial, which cannot be turned into an approval; audited in the tenant asked for', async () => {
    const { tenant, agent } = await enrolledMember();
    const begun = await begin(tenant.id);
    expect(await agent.client.ok(DenyDeviceSignInDocument, { userCode: begun.userCode })).toEqual({ denyDeviceSignIn: true });
    expect(codeOf(await poll(begun.deviceCode))).toBe('ACCESS_DENIED');
    await expectRefused(t, 'INVALID_TOKEN', () => agent.client.fails(ApproveDeviceSignInDocument, { userCode: begun.userCode }));
    expect(codeOf(await poll(begun.deviceCode))).toBe('ACCESS_DENIED');
    expect(await auditActions(t, tenant.id, agent.id)).toContain('DEVICE_SIGN_IN_DENIED');
  });

  it('expires after 10 minutes: the poll is INVALID_TOKEN, the page finds nothing, approving is INVALID_TOKEN', async () => {
    const agent = await signUp(t, 'agent');
    const begun = await begin();
    t.clock.advance(10 * MINUTE);
    expect((await agent.client.ok(DeviceSignInRequestDocument, { userCode: begun.userCode })).deviceSignInRequest).toBeNull();
    await expectRefused(t, 'INVALID_TOKEN', () => agent.client.fails(ApproveDeviceSignInDocument, { userCode: begun.userCode }));
    await expectRefused(t, 'INVALID_TOKEN', () => agent.client.fails(DenyDeviceSignInDocument, { userCode: begun.userCode }));
    expect(codeOf(await poll(begun.deviceCode))).toBe('INVALID_TOKEN');
  });

  it('an approval within 10 minutes that is polled after the expiry gives no session', async () => {
    const agent = await signUp(t, 'agent');
    const begun = await begin();
    t.clock.advance(9 * MINUTE);
    await agent.client.ok(ApproveDeviceSignInDocument, { userCode: begun.userCode });
    t.clock.advance(MINUTE);
    expect(codeOf(await poll(begun.deviceCode))).toBe('INVALID_TOKEN');
  });

  it('hands the tenant standing (DEVICE_APPROVAL, with the approving pass) to the device when the approving session passed the factor recently', async () => {
    const { tenant, agent } = await enrolledMember();
    const passedAt = t.clock.epochMs - 30_000; // enrol() moved the clock one step on after the pass
    const begun = await begin(tenant.id);
    const { deviceSignInRequest } = await agent.client.ok(DeviceSignInRequestDocument, { userCode: begun.userCode });
    expect(deviceSignInRequest!.tenant).toEqual({ id: tenant.id, name: 'Acme Support' });
    await agent.client.ok(ApproveDeviceSignInDocument, { userCode: begun.userCode });
    const session = (await poll(begun.deviceCode)).data!.pollDeviceSignIn;
    const { enterTenant } = await t.client.withToken(session.token).ok(EnterTenantDocument, { tenantId: tenant.id });
    expect(enterTenant).toMatchObject({ status: 'GRANTED', standing: 'DEVICE_APPROVAL', secondFactorAt: new Date(passedAt).toISOString() });
    expect(await auditActions(t, tenant.id, agent.id)).toContain('DEVICE_SIGN_IN_APPROVED');
  });

  it('phishing: a code begun by another device and approved by the victim carries no standing unless the victim passes the factor on that page', async () => {
    const { tenant, agent: victim, secret } = await enrolledMember();
    // The victim's browser session signed in hours after its last pass, with no pass of its own.
    t.clock.advance(3 * 60 * MINUTE);
    const browser = await signInAgain(t, victim);
    // The attacker's terminal, from elsewhere, asks for the victim's tenant and sends the victim the link.
    const attacker = t.client.withHeaders({ 'user-agent': 'curl/8.5.0' });
    const { beginDeviceSignIn: begun } = await attacker.ok(BeginDeviceSignInDocument, { clientName: 'Acme IT check', tenantId: tenant.id });
    const { deviceSignInRequest } = await browser.client.ok(DeviceSignInRequestDocument, { userCode: begun.userCode });
    expect(deviceSignInRequest).toMatchObject({ clientName: 'Acme IT check', clientIp: '127.0.0.1', userAgent: 'curl/8.5.0' });
    const refused = await expectRefused(t, 'TWO_FACTOR_REQUIRED', () => browser.client.fails(ApproveDeviceSignInDocument, { userCode: begun.userCode }));
    expect(refused.extensions?.maxAgeSeconds).toBe(900);
    expect(codeOf(await attacker.request(PollDeviceSignInDocument, { deviceCode: begun.deviceCode }))).toBe('AUTHORIZATION_PENDING');

    // The page asks for the factor: enter with the max age, answer, approve again.
    const { enterTenant } = await browser.client.ok(EnterTenantDocument, { tenantId: tenant.id, maxAgeSeconds: 900 });
    await browser.client.ok(VerifyTwoFactorDocument, { challengeId: enterTenant.challenge!.id, code: currentCode(t, secret) });
    await browser.client.ok(ApproveDeviceSignInDocument, { userCode: begun.userCode });
    t.clock.advance(INTERVAL_MS);
    const session = (await attacker.ok(PollDeviceSignInDocument, { deviceCode: begun.deviceCode })).pollDeviceSignIn;
    expect((await t.client.withToken(session.token).ok(EnterTenantDocument, { tenantId: tenant.id })).enterTenant.standing).toBe('DEVICE_APPROVAL');
  });

  it('a remembered device is no pass for an approval', async () => {
    const { tenant, agent, secret } = await enrolledMember();
    await enrol(t, tenant.owner, tenant.id); // raising the days is step-up
    await allowRememberedDevices(tenant);
    const { deviceToken } = await rememberDevice(t, agent, secret, tenant.id);
    t.clock.advance(20 * MINUTE);
    const later = await signInFromDevice(t, agent, deviceToken);
    expect((await later.client.ok(EnterTenantDocument, { tenantId: tenant.id })).enterTenant.standing).toBe('REMEMBERED_DEVICE');
    const begun = await begin(tenant.id);
    await expectRefused(t, 'TWO_FACTOR_REQUIRED', () => later.client.fails(ApproveDeviceSignInDocument, { userCode: begun.userCode }));
  });

  it('a standing revoked between approval and poll is not handed over: the device session is signed in without it', async () => {
    const { tenant, agent } = await enrolledMember();
    const begun = await begin(tenant.id);
    await agent.client.ok(ApproveDeviceSignInDocument, { userCode: begun.userCode });
    await tenant.owner.client.ok(RevokeAgentSessionsDocument, { tenantId: tenant.id, agentId: agent.id });
    const session = (await poll(begun.deviceCode)).data!.pollDeviceSignIn;
    const { enterTenant } = await t.client.withToken(session.token).ok(EnterTenantDocument, { tenantId: tenant.id });
    expect(enterTenant.status).toBe('TWO_FACTOR_CHALLENGE_REQUIRED');
  });

  it("approval by another agent's session does nothing for this one: the device is that agent's, with only what that agent's session holds", async () => {
    const { tenant, agent: holder } = await enrolledMember();
    const other = await signUp(t, 'other');
    const begun = await begin(tenant.id);
    // Not a member of the tenant asked for: NOT_FOUND (nothing about the tenant), and nothing changes.
    await expectRefused(t, 'NOT_FOUND', () => other.client.fails(DeviceSignInRequestDocument, { userCode: begun.userCode }));
    await expectRefused(t, 'NOT_FOUND', () => other.client.fails(ApproveDeviceSignInDocument, { userCode: begun.userCode }));
    // A member without a second factor there may approve: the device is signed in as that member, without standing.
    await addMember(tenant, other);
    await other.client.ok(ApproveDeviceSignInDocument, { userCode: begun.userCode });
    const session = (await poll(begun.deviceCode)).data!.pollDeviceSignIn;
    expect(session.agent.id).toBe(other.id);
    const { enterTenant } = await t.client.withToken(session.token).ok(EnterTenantDocument, { tenantId: tenant.id });
    expect(enterTenant.standing).toBeNull();
    expect((await holder.client.ok(MySessionsDocument, {})).me!.sessions.map((s) => s.clientName)).toEqual([null]);
  });

  it('accepts an unknown tenant id at the start (no probing) and refuses it at approval', async () => {
    const agent = await signUp(t, 'agent');
    const begun = await begin('0190a0a0-0000-7000-8000-000000000000');
    await expectRefused(t, 'NOT_FOUND', () => agent.client.fails(ApproveDeviceSignInDocument, { userCode: begun.userCode }));
  });

  it('needs a signed-in session to look up, approve or deny', async () => {
    const begun = await begin();
    await expectRefused(t, 'UNAUTHENTICATED', () => t.client.fails(DeviceSignInRequestDocument, { userCode: begun.userCode }));
    await expectRefused(t, 'UNAUTHENTICATED', () => t.client.fails(ApproveDeviceSignInDocument, { userCode: begun.userCode }));
    await expectRefused(t, 'UNAUTHENTICATED', () => t.client.fails(DenyDeviceSignInDocument, { userCode: begun.userCode }));
  });
});

describe.each(databaseKinds)('guessing device sign-in user codes on %s', (kind) => {
  let t: TestGateway;
  beforeAll(async () => {
    // Behind one trusted proxy, so a test can speak from several addresses.
    t = await startTestGateway(kind, { RATE_LIMIT_USER_CODES_PER_MINUTE: '3', TRUSTED_PROXY_HOPS: '1' });
  });
  afterAll(() => t?.close());

  const from = (agent: TestAgent, ip: string) => agent.client.withHeaders({ 'x-forwarded-for': ip });

  it('spends a budget per client address: after 3 guesses a minute even the right code is RATE_LIMITED, until the minute is over', async () => {
    const agent = await signUp(t, 'agent');
    const { beginDeviceSignIn: begun } = await t.client.ok(BeginDeviceSignInDocument, { clientName: 'tenant-2fa on ci' });
    const sessions = [agent, await signInAgain(t, agent), await signInAgain(t, agent), await signInAgain(t, agent)];
    for (const [i, guess] of ['BBBB-BBBB', 'CCCC-CCCC', 'DDDD-DDDD'].entries()) {
      expect((await from(sessions[i], '203.0.113.7').ok(DeviceSignInRequestDocument, { userCode: guess })).deviceSignInRequest).toBeNull();
    }
    const limited = await from(sessions[3], '203.0.113.7').fails(ApproveDeviceSignInDocument, { userCode: begun.userCode });
    expect(limited).toMatchObject({ code: 'RATE_LIMITED', extensions: { retryAfterSeconds: 60 } });
    t.clock.advance(MINUTE);
    await from(sessions[3], '203.0.113.7').ok(ApproveDeviceSignInDocument, { userCode: begun.userCode });
  });

  it('spends a budget per session, whatever address it comes from', async () => {
    const agent = await signUp(t, 'agent');
    const { beginDeviceSignIn: begun } = await t.client.ok(BeginDeviceSignInDocument, { clientName: 'tenant-2fa on ci' });
    for (const [i, guess] of ['FFFF-FFFF', 'GGGG-GGGG', 'HHHH-HHHH'].entries()) {
      await expect(from(agent, `198.51.100.${i + 1}`).fails(DenyDeviceSignInDocument, { userCode: guess })).resolves.toMatchObject({ code: 'INVALID_TOKEN' });
    }
    const limited = await from(agent, '198.51.100.9').fails(ApproveDeviceSignInDocument, { userCode: begun.userCode });
    expect(limited.code).toBe('RATE_LIMITED');
  });
});
