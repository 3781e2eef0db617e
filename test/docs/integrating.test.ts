import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import jsQR from 'jsqr';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AddressInfo } from 'node:net';
import { accessTokenVerifier, createNotesService } from '../../docs/examples/downstream-service';
import { forgotPassword, invite, joinWithInvitation, resetPassword } from '../../docs/examples/accounts';
import { signInThroughBrowser } from '../../docs/examples/device-sign-in';
import { accessTokenFor, addPasskey, enrolTotp, enterTenant, enterWithPasskey, enterWithRecoveryCode, GatewayError, passedChallenges, searchAgents, signIn } from '../../docs/examples/integrating';
import { ApproveDeviceSignInDocument, DenyDeviceSignInDocument, MySessionsDocument, RevokeAgentSessionsDocument, SetWorkspaceTwoFactorDocument } from '../../src/client/generated/graphql';
import { hs256WithPublicKey, INTROSPECTION_TOKEN, unsigned } from '../helpers/access-tokens';
import { addMember, createTenant, enrol, signUp } from '../helpers/fixtures';
import { linkToken, startGatewayWithMail } from '../helpers/account-mail';
import { DEMO_OWNER_EMAIL, DEMO_PASSWORD, seedDemoData } from '../../src/demo/demo-data';
import { databaseKinds } from '../helpers/databases';
import { wrongCode } from '../helpers/fixtures';
import { startTestGateway, TestGateway } from '../helpers/gateway';
import { TEST_ORIGIN } from '../helpers/passkeys';
import { SoftwareAuthenticator } from '../helpers/software-authenticator';
import { totpCode } from '../helpers/totp';

/** docs/integrating.md runs: its TypeScript blocks are the example module's regions, its curl blocks run in bash. */
const root = path.resolve(__dirname, '../..');
const doc = readFileSync(path.join(root, 'docs/integrating.md'), 'utf8');
// The client's examples, then the downstream service's, the accounts', device sign-in: the order of their blocks in the document.
const examples = ['integrating.ts', 'downstream-service.ts', 'accounts.ts', 'device-sign-in.ts'].map((file) => readFileSync(path.join(root, 'docs/examples', file), 'utf8')).join('\n');
const shellSteps = new Map([...doc.matchAll(/```sh\n# ([\w-]+)\n([\s\S]*?)\n```/g)].map((m) => [m[1], m[2]]));

/** Runs one curl step of the document with `vars` as its shell variables; answers the JSON it printed. */
async function step(name: string, vars: Record<string, string>): Promise<{ data?: Record<string, any>; errors?: unknown[] }> {
  const script = shellSteps.get(name);
  if (!script) throw new Error(`docs/integrating.md has no \`# ${name}\` step`);
  const { stdout } = await promisify(execFile)('bash', ['-euo', 'pipefail', '-c', script], { env: { PATH: process.env.PATH, ...vars } });
  const body = JSON.parse(stdout);
  expect(body.errors, `${name}: ${stdout}`).toBeUndefined();
  return body;
}

/** What an authenticator app reads from the QR code: the otpauth URI's secret. */
function secretFromQr(dataUrl: string): string {
  const png = PNG.sync.read(Buffer.from(dataUrl.replace(/^data:image\/png;base64,/, ''), 'base64'));
  const uri = jsQR(new Uint8ClampedArray(png.data.buffer, png.data.byteOffset, png.data.length), png.width, png.height)!.data;
  return new URL(uri).searchParams.get('secret')!;
}

describe('docs/integrating.md', () => {
  it('shows every TypeScript example region verbatim, in order', () => {
    const regions = [...examples.matchAll(/\/\/ #region ([\w-]+)\n([\s\S]*?)\n\/\/ #endregion \1/g)].map((m) => m[2]);
    const blocks = [...doc.matchAll(/```ts\n([\s\S]*?)\n```/g)].map((m) => m[1]);
    expect(regions.length).toBeGreaterThanOrEqual(10);
    expect(blocks).toEqual(regions);
  });
});

describe.each(databaseKinds)('the flows of docs/integrating.md on %s', (kind) => {
  let t: TestGateway;
  let gateway: string;
  let tenantId = '';
  let ownerToken = '';
  const startedAt = new Date();

  beforeAll(async () => {
    t = await startTestGateway(kind);
    await seedDemoData(t.gateway.services);
    gateway = t.url;
  });
  afterAll(() => t?.close());

  it('runs the curl steps: sign in, enrol with the QR code, pass the challenge, recover, list agents, read the audit log', async () => {
    const base = { GATEWAY: gateway, EMAIL: DEMO_OWNER_EMAIL, PASSWORD: DEMO_PASSWORD };
    const signedIn = async () => (await step('sign-in', base)).data!.signIn.token as string;
    ownerToken = await signedIn();
    const { tenants } = (await step('tenants', { ...base, TOKEN: ownerToken })).data!;
    tenantId = tenants.find((tenant: { name: string }) => tenant.name === 'Acme Support').id;
    const vars = { ...base, TOKEN: ownerToken, TENANT_ID: tenantId };

    const { beginTotpEnrolment } = (await step('begin-enrolment', vars)).data!;
    expect(secretFromQr(beginTotpEnrolment.qrCodeDataUrl)).toBe(beginTotpEnrolment.secret);
    const { confirmTotpEnrolment } = (await step('confirm-enrolment', { ...vars, CODE: totpCode(beginTotpEnrolment.secret, t.clock.epochMs) })).data!;
    expect(confirmTotpEnrolment).toMatchObject({ status: { state: 'ENABLED', recoveryCodesRemaining: 8 } });
    t.clock.advance(30_000);

    const session = { ...vars, TOKEN: await signedIn() };
    const { enterTenant: access } = (await step('enter-tenant', session)).data!;
    expect(access).toMatchObject({ status: 'TWO_FACTOR_CHALLENGE_REQUIRED', challenge: { methods: ['TOTP', 'RECOVERY_CODE'], attemptsRemaining: 5 } });
    const { verifyTwoFactor } = (await step('verify', { ...session, CHALLENGE_ID: access.challenge.id, CODE: totpCode(beginTotpEnrolment.secret, t.clock.epochMs) })).data!;
    expect(verifyTwoFactor).toEqual({ status: 'GRANTED', tenant: { name: 'Acme Support' } });

    const lost = { ...vars, TOKEN: await signedIn() };
    const { challenge } = (await step('enter-tenant', lost)).data!.enterTenant;
    const { useRecoveryCode } = (await step('use-recovery-code', { ...lost, CHALLENGE_ID: challenge.id, RECOVERY_CODE: confirmTotpEnrolment.codes[0] })).data!;
    expect(useRecoveryCode).toEqual({ status: 'GRANTED' });

    const { agents } = (await step('search-agents', { ...vars, SEARCH: 'AARON' })).data!.tenant;
    expect(agents.edges.map((edge: { node: { agent: { email: string } } }) => edge.node.agent.email)).toEqual(['agent@demo.test']);
    const { auditLog } = (await step('audit-log', vars)).data!.tenant;
    expect(auditLog.edges.map((edge: { node: { method: string; subject: { email: string } } }) => [edge.node.method, edge.node.subject.email])).toEqual([
      ['RECOVERY_CODE', DEMO_OWNER_EMAIL],
      ['TOTP', DEMO_OWNER_EMAIL],
    ]);
  });

  it('runs the TypeScript examples with the typed documents', async () => {
    const agentEmail = 'agent@demo.test';
    let secret = '';
    const codes = await enrolTotp(gateway, await signIn(gateway, agentEmail, DEMO_PASSWORD), tenantId, DEMO_PASSWORD, async (qrCodeDataUrl) => {
      secret = secretFromQr(qrCodeDataUrl);
      return totpCode(secret, t.clock.epochMs);
    });
    expect(codes).toHaveLength(8);
    t.clock.advance(30_000);

    const answers = [wrongCode(t, secret), totpCode(secret, t.clock.epochMs)]; // a typo first: the example asks again
    expect(await enterTenant(gateway, await signIn(gateway, agentEmail, DEMO_PASSWORD), tenantId, async () => answers.shift()!)).toBe('GRANTED');
    expect(await enterWithRecoveryCode(gateway, await signIn(gateway, agentEmail, DEMO_PASSWORD), tenantId, codes[1].toLowerCase().replace('-', ''))).toBe('GRANTED');
    await expect(signIn(gateway, agentEmail, 'not the password')).rejects.toMatchObject({ code: 'INVALID_CREDENTIALS' });
    await expect(enterWithRecoveryCode(gateway, 'not-a-token', tenantId, codes[2])).rejects.toBeInstanceOf(GatewayError);

    const members = [];
    for await (const member of searchAgents(gateway, ownerToken, tenantId, 'demo.test')) members.push([member.agent.email, member.twoFactor.state]);
    expect(members).toEqual([
      [DEMO_OWNER_EMAIL, 'ENABLED'],
      [agentEmail, 'ENABLED'],
    ]);
    const passed = await passedChallenges(gateway, ownerToken, tenantId, new Date(startedAt.getTime() - 60_000));
    expect(passed.filter((event) => event.agent === agentEmail).map((event) => event.method)).toEqual(['RECOVERY_CODE', 'TOTP']);
    expect(passed.every((event) => /127\.0\.0\.1/.test(event.clientIp ?? ''))).toBe(true);
  });

  it('runs the passkey examples, a software authenticator standing in for the browser\'s prompt', async () => {
    // The owner's first session confirmed the app in Acme: it stands there, and a passkey joins the app.
    const laptop = new SoftwareAuthenticator(TEST_ORIGIN);
    const codes = await addPasskey(gateway, ownerToken, tenantId, DEMO_PASSWORD, 'Laptop', async (options) => laptop.register(options));
    expect(codes).toEqual([]); // the app turned two-factor on already: no new recovery codes
    expect(await enterWithPasskey(gateway, await signIn(gateway, DEMO_OWNER_EMAIL, DEMO_PASSWORD), tenantId, async (options) => laptop.assert(options))).toBe('GRANTED');
    // An assertion that does not verify: PASSKEY_REJECTED, with the attempts left, as the section says.
    await expect(enterWithPasskey(gateway, await signIn(gateway, DEMO_OWNER_EMAIL, DEMO_PASSWORD), tenantId, async (options) => laptop.assert(options, { badSignature: true }))).rejects.toMatchObject({
      code: 'PASSKEY_REJECTED',
      extensions: { attemptsRemaining: 4 },
    });
  });
});

describe.each(databaseKinds)('the downstream service of docs/integrating.md on %s', (kind) => {
  const AUDIENCE = 'https://notes.example';
  let t: TestGateway;
  let service: import('node:http').Server;
  let serviceUrl = '';
  let issuer = '';
  let tenant: Awaited<ReturnType<typeof createTenant>>;

  beforeAll(async () => {
    t = await startTestGateway(kind, { TOKEN_AUDIENCES: AUDIENCE, INTROSPECTION_TOKEN });
    issuer = t.gateway.services.publicUrl.base; // PUBLIC_URL (the development default): the tokens' iss
    tenant = await createTenant(t, { twoFactor: true });
    await enrol(t, tenant.owner, tenant.id); // the owner holds the second factor: it may relax and revoke
    service = createNotesService({ gateway: t.url, issuer, audience: AUDIENCE, introspectionToken: INTROSPECTION_TOKEN, twoFactorWorkspaces: new Set([tenant.secureWorkspaceId]) });
    await new Promise<void>((resolve) => service.listen(0, '127.0.0.1', resolve));
    serviceUrl = `http://127.0.0.1:${(service.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((resolve) => service?.close(resolve));
    await t?.close();
  });

  const call = (method: 'GET' | 'POST', workspaceId: string, token?: string) =>
    fetch(`${serviceUrl}/workspaces/${workspaceId}/${method === 'GET' ? 'notes' : 'payouts'}`, { method, headers: token ? { authorization: `Bearer ${token}` } : {} });

  it('runs the curl steps: a token minted, the keys, introspection', async () => {
    const vars = { GATEWAY: t.url, TOKEN: tenant.owner.token, TENANT_ID: tenant.id, WORKSPACE_ID: tenant.secureWorkspaceId };
    const { mintAccessToken } = (await step('mint-token', vars)).data!;
    expect(mintAccessToken.claims).toMatchObject({ tid: tenant.id, wid: tenant.secureWorkspaceId, acr: 'aal2', aud: AUDIENCE });
    const jwks = (await step('jwks', vars)) as unknown as { keys: Array<{ kid: string }> };
    expect(jwks.keys.map((key) => key.kid)).toContain(JSON.parse(Buffer.from(mintAccessToken.token.split('.')[0], 'base64url').toString()).kid);
    const introspected = (await step('introspect', { ...vars, INTROSPECTION_TOKEN, ACCESS_TOKEN: mintAccessToken.token })) as unknown as Record<string, unknown>;
    expect(introspected).toEqual({ active: true, ...mintAccessToken.claims });
  });

  it('requires aal2 for a 2FA workspace, a token for the workspace asked about, and introspection for payouts', async () => {
    const agent = await signUp(t, 'downstream');
    await addMember(tenant, agent);
    // A token minted while the workspace did not require 2FA: aal1, since the session has no second factor.
    await tenant.owner.client.ok(SetWorkspaceTwoFactorDocument, { workspaceId: tenant.secureWorkspaceId, required: false });
    const early = await accessTokenFor(t.url, agent.token, tenant.id, tenant.secureWorkspaceId, AUDIENCE);
    await tenant.owner.client.ok(SetWorkspaceTwoFactorDocument, { workspaceId: tenant.secureWorkspaceId, required: true });
    const stepUp = await call('GET', tenant.secureWorkspaceId, early.token);
    expect(stepUp.status).toBe(401);
    expect(stepUp.headers.get('www-authenticate')).toBe('Bearer error="insufficient_user_authentication", acr_values="aal2"');
    // The gateway itself now refuses to mint for it until the agent holds the second factor.
    await expect(accessTokenFor(t.url, agent.token, tenant.id, tenant.secureWorkspaceId, AUDIENCE)).rejects.toMatchObject({ code: 'TWO_FACTOR_ENROLMENT_REQUIRED' });
    await enrol(t, agent, tenant.id); // confirming enrolment gives this session the tenant's second factor
    const { token } = await accessTokenFor(t.url, agent.token, tenant.id, tenant.secureWorkspaceId, AUDIENCE);
    const notes = await call('GET', tenant.secureWorkspaceId, token);
    expect(notes.status).toBe(200);
    expect(await notes.json()).toMatchObject({ workspaceId: tenant.secureWorkspaceId, for: agent.email });
    expect((await call('GET', tenant.openWorkspaceId, token)).status).toBe(403); // a token for another workspace
    expect((await call('GET', tenant.secureWorkspaceId)).status).toBe(401);
    expect((await call('POST', tenant.secureWorkspaceId, token)).status).toBe(201);

    // Revoked: the offline check still passes until the token expires; the sensitive action asks and refuses.
    await tenant.owner.client.ok(RevokeAgentSessionsDocument, { tenantId: tenant.id, agentId: agent.id });
    expect((await call('GET', tenant.secureWorkspaceId, token)).status).toBe(200);
    const payout = await call('POST', tenant.secureWorkspaceId, token);
    expect(payout.status).toBe(401);
    expect(payout.headers.get('www-authenticate')).toBe('Bearer error="invalid_token"');
  });

  // Threat: a service tricked by alg confusion (HS256 keyed with the public key) or an unsigned token into trusting forged claims.
  it('refuses a token re-signed with HS256 keyed with the public key, and one with alg none', async () => {
    const { token } = await accessTokenFor(t.url, tenant.owner.token, tenant.id, tenant.openWorkspaceId, AUDIENCE);
    expect((await call('GET', tenant.openWorkspaceId, token)).status).toBe(200);
    const verify = accessTokenVerifier(issuer, AUDIENCE, t.url);
    for (const forged of [await hs256WithPublicKey(t.url, token), unsigned(token)]) {
      const response = await call('GET', tenant.openWorkspaceId, forged);
      expect(response.status).toBe(401);
      expect(response.headers.get('www-authenticate')).toBe('Bearer error="invalid_token"');
      await expect(verify(forged)).rejects.toThrow();
    }
  });
});

describe.each(databaseKinds)('the account flows of docs/integrating.md on %s', (kind) => {
  let gateway: Awaited<ReturnType<typeof startGatewayWithMail>>;
  let t: TestGateway;
  let tenantId = '';
  let ownerToken = '';

  beforeAll(async () => {
    // Invitation-only, as in production: the invitation's token is what lets a new account in.
    gateway = await startGatewayWithMail(kind, { SIGN_UP: 'invitation-only' });
    t = gateway.t;
    await seedDemoData(t.gateway.services);
    ownerToken = await signIn(t.url, DEMO_OWNER_EMAIL, DEMO_PASSWORD);
    [{ id: tenantId }] = await t.gateway.db.manager.query("SELECT id FROM tenants WHERE name = 'Acme Support'");
  });
  afterAll(() => gateway?.close());

  const linkTo = async (email: string, subject: RegExp, path: string) => linkToken(t, await gateway.mail.waitFor(email, subject), path);

  it('runs the curl steps: invite, sign up with the invitation, ask for a reset, reset', async () => {
    const base = { GATEWAY: t.url, TOKEN: ownerToken, TENANT_ID: tenantId, EMAIL: 'curl-newcomer@demo.test', PASSWORD: 'a newcomer passphrase' };
    const { inviteTenantMember } = (await step('invite', base)).data!;
    expect(inviteTenantMember).toMatchObject({ email: base.EMAIL, role: 'AGENT' });
    const INVITATION_TOKEN = await linkTo(base.EMAIL, /invited you/, '/invitation');
    const { signUp } = (await step('sign-up-with-invitation', { ...base, INVITATION_TOKEN })).data!;
    expect(signUp.agent).toEqual({ email: base.EMAIL, emailVerified: true });

    expect((await step('request-password-reset', base)).data).toEqual({ requestPasswordReset: true });
    const RESET_TOKEN = await linkTo(base.EMAIL, /Reset your password/, '/reset-password');
    const { resetPassword: session } = (await step('reset-password', { ...base, RESET_TOKEN, NEW_PASSWORD: 'another passphrase' })).data!;
    expect(session.agent.email).toBe(base.EMAIL);
    await signIn(t.url, base.EMAIL, 'another passphrase');
  });

  it('runs the TypeScript examples: invite and join, forgot and reset', async () => {
    const email = 'ts-newcomer@demo.test';
    await invite(t.url, ownerToken, tenantId, email);
    const invitationLink = (await gateway.mail.waitFor(email, /invited you/)).links.find((link) => link.includes('/invitation?'))!;
    const session = await joinWithInvitation(t.url, invitationLink, { email, password: 'a newcomer passphrase', name: 'Newcomer' });
    expect(await enterTenant(t.url, session, tenantId, async () => '000000')).toBe('GRANTED'); // 2FA on, nothing required of an agent yet

    await forgotPassword(t.url, email);
    await forgotPassword(t.url, 'nobody-here@demo.test'); // the same answer
    const resetLink = (await gateway.mail.waitFor(email, /Reset your password/)).links.find((link) => link.includes('/reset-password?'))!;
    const fresh = await resetPassword(t.url, resetLink, 'a reset passphrase');
    await expect(signIn(t.url, email, 'a newcomer passphrase')).rejects.toMatchObject({ code: 'INVALID_CREDENTIALS' });
    expect(await signIn(t.url, email, 'a reset passphrase')).not.toBe(fresh);
    await expect(joinWithInvitation(t.url, invitationLink, { email: 'someone@demo.test', password: 'a newcomer passphrase', name: 'S' })).rejects.toMatchObject({ code: 'INVALID_TOKEN' });
  });
});

describe.each(databaseKinds)('the device sign-in of docs/integrating.md on %s', (kind) => {
  let t: TestGateway;
  beforeAll(async () => {
    t = await startTestGateway(kind);
  });
  afterAll(() => t?.close());

  it('runs the TypeScript example: the code shown, approved in the "browser", the session polled out once', async () => {
    const agent = await signUp(t, 'terminal');
    let page = '';
    const token = await signInThroughBrowser(t.url, 'tenant-2fa on build-01', async (shown, userCode) => {
      page = shown;
      await agent.client.ok(ApproveDeviceSignInDocument, { userCode });
    });
    expect(page).toMatch(/\/device\?code=[A-Z]{4}-[A-Z]{4}$/);
    const { me } = await t.client.withToken(token).ok(MySessionsDocument, {});
    expect(me!.sessions.find((session) => session.current)!.clientName).toBe('tenant-2fa on build-01');
  });

  it('ends with ACCESS_DENIED when the agent denies', async () => {
    const agent = await signUp(t, 'terminal');
    await expect(signInThroughBrowser(t.url, 'tenant-2fa on build-02', async (_page, userCode) => void (await agent.client.ok(DenyDeviceSignInDocument, { userCode })))).rejects.toMatchObject({
      code: 'ACCESS_DENIED',
    });
  });
});
