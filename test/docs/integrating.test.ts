import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import jsQR from 'jsqr';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  enrolTotp,
  enterTenant,
  enterWithRecoveryCode,
  forgotPassword,
  GatewayError,
  invite,
  joinWithInvitation,
  passedChallenges,
  resetPassword,
  searchAgents,
  signIn,
} from '../../docs/examples/integrating';
import { linkToken, startGatewayWithMail } from '../helpers/account-mail';
import { DEMO_OWNER_EMAIL, DEMO_PASSWORD, seedDemoData } from '../../src/demo/demo-data';
import { databaseKinds } from '../helpers/databases';
import { wrongCode } from '../helpers/fixtures';
import { startTestGateway, TestGateway } from '../helpers/gateway';
import { totpCode } from '../helpers/totp';

/** docs/integrating.md runs: its TypeScript blocks are the example module's regions, its curl blocks run in bash. */
const root = path.resolve(__dirname, '../..');
const doc = readFileSync(path.join(root, 'docs/integrating.md'), 'utf8');
const examples = readFileSync(path.join(root, 'docs/examples/integrating.ts'), 'utf8');
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
    expect(regions.length).toBeGreaterThanOrEqual(6);
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
