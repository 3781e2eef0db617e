import jsQR from 'jsqr';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BeginTotpEnrolmentDocument,
  ConfirmTotpEnrolmentDocument,
  CreateTenantDocument,
  DisableTwoFactorDocument,
  EnterWorkspaceDocument,
  MyTwoFactorDocument,
  SetTenantTwoFactorDocument,
} from '../../src/client/generated/graphql';
import { databaseKinds } from '../helpers/databases';
import { addMember, createTenant, currentCode, enrol, signUp, TestAgent, TestTenant } from '../helpers/fixtures';
import { startTestGateway, TestGateway } from '../helpers/gateway';
import { databaseSnapshot } from '../helpers/snapshot';
import { base32Decode } from '../helpers/totp';
import { auditActions, twoTenants } from '../helpers/two-factor';

/** Reads the QR code in a `data:image/png;base64,…` URL back to its text, as a phone camera would. */
function decodeQrDataUrl(dataUrl: string): string | undefined {
  const png = PNG.sync.read(Buffer.from(dataUrl.replace(/^data:image\/png;base64,/, ''), 'base64'));
  return jsQR(new Uint8ClampedArray(png.data.buffer, png.data.byteOffset, png.data.length), png.width, png.height)?.data;
}

describe.each(databaseKinds)('TOTP enrolment on %s', (kind) => {
  let t: TestGateway;
  let tenant: TestTenant;
  beforeAll(async () => {
    t = await startTestGateway(kind);
    tenant = await createTenant(t, { twoFactor: true, name: 'Acme Support' });
  });
  afterAll(() => t?.close());

  async function member(inTenant = tenant): Promise<TestAgent> {
    const agent = await signUp(t);
    await addMember(inTenant, agent);
    return agent;
  }
  const begin = (agent: TestAgent, tenantId = tenant.id, password = agent.password) => agent.client.request(BeginTotpEnrolmentDocument, { tenantId, password });
  const confirm = (agent: TestAgent, code: string, tenantId = tenant.id) => agent.client.request(ConfirmTotpEnrolmentDocument, { tenantId, code });
  const state = async (agent: TestAgent, tenantId = tenant.id) => (await agent.client.ok(MyTwoFactorDocument, { tenantId })).me!.twoFactor.state;

  it('answers a base32 secret of at least 160 bits, the otpauth URI, and a QR code that scans back to it', async () => {
    const agent = await member();
    const { beginTotpEnrolment: started } = (await begin(agent)).data!;

    expect(started.secret).toMatch(/^[A-Z2-7]{32,}$/);
    expect(base32Decode(started.secret).length).toBeGreaterThanOrEqual(20);
    const issuer = encodeURIComponent('Acme Support');
    expect(started.otpauthUri).toBe(
      `otpauth://totp/${issuer}:${encodeURIComponent(agent.email)}?secret=${started.secret}&issuer=${issuer}&algorithm=SHA1&digits=6&period=30`,
    );
    expect(started.qrCodeDataUrl).toMatch(/^data:image\/png;base64,/);
    expect(decodeQrDataUrl(started.qrCodeDataUrl)).toBe(started.otpauthUri);
    expect(started.qrCodeSvg).toMatch(/^<svg[\s>]/);
    expect(new Date(started.expiresAt).getTime()).toBe(t.clock.epochMs + 10 * 60_000);
  });

  it("carries the tenant's own issuer, not its name, into the URI and the QR code", async () => {
    const owner = await signUp(t, 'owner');
    const { createTenant: custom } = await owner.client.ok(CreateTenantDocument, { name: 'Globex Internal', issuer: 'Globex Help & Care' });
    await owner.client.ok(SetTenantTwoFactorDocument, { tenantId: custom.id, enabled: true });
    const started = (await begin(owner, custom.id)).data!.beginTotpEnrolment;

    const issuer = encodeURIComponent('Globex Help & Care');
    expect(started.otpauthUri).toMatch(new RegExp(`^otpauth://totp/${issuer}:${encodeURIComponent(owner.email)}\\?secret=${started.secret}&issuer=${issuer}&`));
    expect(decodeQrDataUrl(started.qrCodeDataUrl)).toBe(started.otpauthUri);
  });

  it('turns the pending secret on with its code, returning recovery codes and giving this session standing', async () => {
    const agent = await member();
    const { secret } = (await begin(agent)).data!.beginTotpEnrolment;
    const { data } = await confirm(agent, currentCode(t, secret));
    expect(data!.confirmTotpEnrolment.codes).toHaveLength(8);
    expect(data!.confirmTotpEnrolment.status.state).toBe('ENABLED');

    const { enterWorkspace } = await agent.client.ok(EnterWorkspaceDocument, { workspaceId: tenant.secureWorkspaceId });
    expect(enterWorkspace).toMatchObject({ status: 'GRANTED', challenge: null });
  });

  it('refuses a wrong confirmation code and keeps the enrolment pending', async () => {
    const agent = await member();
    const { secret } = (await begin(agent)).data!.beginTotpEnrolment;
    const wrong = (await confirm(agent, currentCode(t, secret, 3))).errors?.[0];
    expect(wrong?.extensions?.code).toBe('INVALID_TWO_FACTOR_CODE');
    expect(await state(agent)).toBe('PENDING_CONFIRMATION');
    expect((await confirm(agent, currentCode(t, secret))).data?.confirmTotpEnrolment.status.state).toBe('ENABLED');
  });

  it("replaces the pending secret on a second begin: the first secret's code no longer confirms", async () => {
    const agent = await member();
    const first = (await begin(agent)).data!.beginTotpEnrolment.secret;
    const second = (await begin(agent)).data!.beginTotpEnrolment.secret;
    expect(second).not.toBe(first);

    expect((await confirm(agent, currentCode(t, first))).errors?.[0].extensions?.code).toBe('INVALID_TWO_FACTOR_CODE');
    expect((await confirm(agent, currentCode(t, second))).data?.confirmTotpEnrolment.status.state).toBe('ENABLED');
  });

  it('lets a pending secret expire after 10 minutes: NO_PENDING_ENROLMENT, and NOT_CONFIGURED again', async () => {
    const agent = await member();
    const { secret } = (await begin(agent)).data!.beginTotpEnrolment;
    t.clock.advance(10 * 60_000);

    expect((await confirm(agent, currentCode(t, secret))).errors?.[0].extensions?.code).toBe('NO_PENDING_ENROLMENT');
    expect(await state(agent)).toBe('NOT_CONFIGURED');
  });

  it('never counts a pending secret as enrolled: no challenge, and setup is still required where 2FA is', async () => {
    const agent = await member();
    await begin(agent);
    const open = await agent.client.ok(EnterWorkspaceDocument, { workspaceId: tenant.openWorkspaceId });
    expect(open.enterWorkspace.status).toBe('GRANTED');
    const secure = await agent.client.ok(EnterWorkspaceDocument, { workspaceId: tenant.secureWorkspaceId });
    expect(secure.enterWorkspace.status).toBe('TWO_FACTOR_SETUP_REQUIRED');
  });

  it('answers NO_PENDING_ENROLMENT to a confirmation with nothing pending', async () => {
    const agent = await member();
    expect((await confirm(agent, '123456')).errors?.[0].extensions?.code).toBe('NO_PENDING_ENROLMENT');
  });

  it('refuses to begin again while ENABLED as ALREADY_ENROLLED, changing nothing', async () => {
    const agent = await member();
    await enrol(t, agent, tenant.id);
    const before = await databaseSnapshot(t);
    expect((await begin(agent)).errors?.[0].extensions?.code).toBe('ALREADY_ENROLLED');
    expect(await databaseSnapshot(t)).toBe(before);
  });

  // Threat: a hijacked session (unattended browser) silently binds the attacker's authenticator.
  it('refuses to begin with a wrong password as INVALID_PASSWORD, changing nothing but the audit log, also while pending', async () => {
    const agent = await member();
    let before = await databaseSnapshot(t, ['audit_events']);
    expect((await begin(agent, tenant.id, 'not the password')).errors?.[0].extensions?.code).toBe('INVALID_PASSWORD');
    expect(await databaseSnapshot(t, ['audit_events'])).toBe(before);

    const { secret } = (await begin(agent)).data!.beginTotpEnrolment;
    before = await databaseSnapshot(t, ['audit_events']);
    expect((await begin(agent, tenant.id, 'not the password')).errors?.[0].extensions?.code).toBe('INVALID_PASSWORD');
    expect(await databaseSnapshot(t, ['audit_events'])).toBe(before);
    expect(await auditActions(t, tenant.id, agent.id)).toEqual(['MEMBER_ADDED', 'WORKSPACE_MEMBER_ADDED', 'WORKSPACE_MEMBER_ADDED', 'REAUTH_FAILED', 'TWO_FACTOR_ENROLMENT_STARTED', 'REAUTH_FAILED']);
    expect((await confirm(agent, currentCode(t, secret))).data?.confirmTotpEnrolment.status.state).toBe('ENABLED');
  });

  it('refuses enrolment while the tenant has 2FA off as TENANT_TWO_FACTOR_DISABLED', async () => {
    const off = await createTenant(t);
    const before = await databaseSnapshot(t);
    expect((await begin(off.owner, off.id)).errors?.[0].extensions?.code).toBe('TENANT_TWO_FACTOR_DISABLED');
    expect((await confirm(off.owner, '123456', off.id)).errors?.[0].extensions?.code).toBe('TENANT_TWO_FACTOR_DISABLED');
    expect(await databaseSnapshot(t)).toBe(before);
  });

  it('disables 2FA (password re-checked) in that tenant only', async () => {
    const [a, b] = await twoTenants(t);
    const agent = await member(a);
    await addMember(b, agent);
    await enrol(t, agent, a.id);
    await enrol(t, agent, b.id);

    const { disableTwoFactor } = await agent.client.ok(DisableTwoFactorDocument, { tenantId: a.id, password: agent.password });
    expect(disableTwoFactor).toEqual({ state: 'NOT_CONFIGURED', enabled: false, methods: [], recoveryCodesRemaining: 0, confirmedAt: null });
    expect(await state(agent, a.id)).toBe('NOT_CONFIGURED');
    const inB = (await agent.client.ok(MyTwoFactorDocument, { tenantId: b.id })).me!.twoFactor;
    expect(inB).toMatchObject({ state: 'ENABLED', recoveryCodesRemaining: 8 });
    expect((await begin(agent, a.id)).data?.beginTotpEnrolment.secret).toMatch(/^[A-Z2-7]{32,}$/);
  });

  it('refuses to disable with a wrong password as INVALID_PASSWORD, changing nothing but the REAUTH_FAILED audit event', async () => {
    const agent = await member();
    await enrol(t, agent, tenant.id);
    const before = await databaseSnapshot(t, ['audit_events']);
    const error = await agent.client.fails(DisableTwoFactorDocument, { tenantId: tenant.id, password: 'not the password' });
    expect(error.code).toBe('INVALID_PASSWORD');
    expect(await databaseSnapshot(t, ['audit_events'])).toBe(before);
    expect((await auditActions(t, tenant.id, agent.id)).at(-1)).toBe('REAUTH_FAILED');
    expect(await state(agent)).toBe('ENABLED');
  });
});
