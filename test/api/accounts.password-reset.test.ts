// Threat: a reset link that works twice, late, after a newer one, or for someone who guessed it; a reset that
// lets a stolen session live on, or that strips the account's second factors so the tenant no longer asks.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  EnterWorkspaceDocument,
  MeDocument,
  MyAccountDocument,
  RequestPasswordResetDocument,
  ResetPasswordDocument,
  SignInDocument,
  SignUpDocument,
} from '../../src/client/generated/graphql';
import { SIGN_IN_FAILURE_THRESHOLD } from '../../src/rate-limits/account-sign-in-lock';
import { expectNoSecrets, linkToken, startGatewayWithMail } from '../helpers/account-mail';
import { databaseKinds } from '../helpers/databases';
import { createTenant, PASSWORD, signUp, TestAgent, uniqueEmail } from '../helpers/fixtures';
import type { TestGateway } from '../helpers/gateway';
import type { TestMailServer } from '../helpers/mail-server';
import { databaseSnapshot } from '../helpers/snapshot';
import { enrolledAgent, signInAgain } from '../helpers/two-factor';

const NEW_PASSWORD = 'a freshly reset passphrase';

describe.each(databaseKinds)('password reset on %s', (kind) => {
  let gateway: Awaited<ReturnType<typeof startGatewayWithMail>>;
  let t: TestGateway;
  let mail: TestMailServer;

  beforeAll(async () => {
    gateway = await startGatewayWithMail(kind);
    ({ t, mail } = gateway);
  });
  afterAll(() => gateway?.close());

  /** Asks for a reset of the agent's address; answers the token of the link that arrived (the n-th such message). */
  async function requestLink(email: string, nth = 1): Promise<string> {
    expect((await t.client.ok(RequestPasswordResetDocument, { email: email.toUpperCase() })).requestPasswordReset).toBe(true);
    const deadline = Date.now() + 10_000;
    let links = mail.to(email).filter((m) => /Reset your password/.test(m.subject));
    while (links.length < nth) {
      if (Date.now() > deadline) throw new Error(`no reset link ${nth} to ${email}`);
      await new Promise((resolve) => setTimeout(resolve, 25));
      links = mail.to(email).filter((m) => /Reset your password/.test(m.subject));
    }
    expectNoSecrets(links[nth - 1], [PASSWORD]);
    return linkToken(t, links[nth - 1], '/reset-password');
  }

  it('e-mails a link; resetting ends every session, signs in anew with the cookie, and the new password works', async () => {
    const agent = await signUp(t, 'forgetful');
    const other = await signInAgain(t, agent);
    const token = await requestLink(agent.email);

    const response = await fetch(`${t.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: 'mutation($t: String!, $p: String!) { resetPassword(token: $t, newPassword: $p) { token agent { id } } }', variables: { t: token, p: NEW_PASSWORD } }),
    });
    const body = (await response.json()) as { data: { resetPassword: { token: string; agent: { id: string } } } };
    expect(body.data.resetPassword.agent.id).toBe(agent.id);
    expect(response.headers.get('set-cookie')).toMatch(/^gateway_session=[\w-]+;.*HttpOnly.*Secure.*SameSite=Strict/i);

    const fresh = t.client.withToken(body.data.resetPassword.token);
    expect((await fresh.ok(MeDocument)).me?.id).toBe(agent.id);
    for (const ended of [agent, other]) expect((await ended.client.ok(MeDocument)).me).toBeNull();
    expect((await t.client.fails(SignInDocument, { email: agent.email, password: PASSWORD })).code).toBe('INVALID_CREDENTIALS');
    await t.client.ok(SignInDocument, { email: agent.email, password: NEW_PASSWORD });
    // Following the link proved the address.
    expect((await fresh.ok(MyAccountDocument)).me?.emailVerified).toBe(true);

    const notice = await mail.waitFor(agent.email, /password was reset/);
    expectNoSecrets(notice, [PASSWORD, NEW_PASSWORD, token, body.data.resetPassword.token]);
  });

  it('a link works once, for 30 minutes, and only the newest of several', async () => {
    const agent = await signUp(t, 'links');
    const used = await requestLink(agent.email);
    await t.client.ok(ResetPasswordDocument, { token: used, newPassword: NEW_PASSWORD });
    const before = await databaseSnapshot(t);
    expect((await t.client.fails(ResetPasswordDocument, { token: used, newPassword: 'yet another one' })).code).toBe('INVALID_TOKEN');
    expect(await databaseSnapshot(t)).toBe(before);

    const older = await requestLink(agent.email, 2);
    const newer = await requestLink(agent.email, 3);
    expect((await t.client.fails(ResetPasswordDocument, { token: older, newPassword: 'yet another one' })).code).toBe('INVALID_TOKEN');
    t.clock.advance(30 * 60_000 + 1);
    expect((await t.client.fails(ResetPasswordDocument, { token: newer, newPassword: 'yet another one' })).code).toBe('INVALID_TOKEN');
    await t.client.ok(SignInDocument, { email: agent.email, password: NEW_PASSWORD });
  });

  it('refuses guessed and malformed tokens, and the password rules hold for the new password', async () => {
    const agent = await signUp(t, 'guessed');
    const token = await requestLink(agent.email);
    const before = await databaseSnapshot(t);
    expect((await t.client.fails(ResetPasswordDocument, { token: 'A'.repeat(43), newPassword: NEW_PASSWORD })).code).toBe('INVALID_TOKEN');
    expect((await t.client.fails(ResetPasswordDocument, { token: token.slice(0, -1) + (token.endsWith('A') ? 'B' : 'A'), newPassword: NEW_PASSWORD })).code).toBe('INVALID_TOKEN');
    expect((await t.client.fails(ResetPasswordDocument, { token: 'x'.repeat(65), newPassword: NEW_PASSWORD })).code).toBe('BAD_USER_INPUT');
    expect((await t.client.fails(ResetPasswordDocument, { token, newPassword: 'short' })).code).toBe('BAD_USER_INPUT');
    expect(await databaseSnapshot(t)).toBe(before);
    // The refusals spent nothing: the link still works.
    await t.client.ok(ResetPasswordDocument, { token, newPassword: NEW_PASSWORD });
  });

  it('stores link tokens only as hashes', async () => {
    const agent = await signUp(t, 'at-rest');
    const token = await requestLink(agent.email);
    const rows = await t.gateway.db.manager.query("SELECT * FROM account_tokens WHERE purpose = 'PASSWORD_RESET'");
    expect(JSON.stringify(rows)).not.toContain(token);
  });

  // Threat: a reset used as a way around the second factor.
  it('leaves the second factors as they were: the new session has no standing, and the tenant still challenges', async () => {
    const tenant = await createTenant(t, { twoFactor: true });
    const { agent } = await enrolledAgent(t, tenant, 'enrolled');
    const token = await requestLink(agent.email);
    const { resetPassword } = await t.client.ok(ResetPasswordDocument, { token, newPassword: NEW_PASSWORD });
    const { enterWorkspace } = await t.client.withToken(resetPassword.token).ok(EnterWorkspaceDocument, { workspaceId: tenant.secureWorkspaceId });
    expect(enterWorkspace.status).toBe('TWO_FACTOR_CHALLENGE_REQUIRED');
    expect(enterWorkspace.challenge?.methods).toEqual(['TOTP', 'RECOVERY_CODE']);
  });

  it('clears the account sign-in lock', async () => {
    const agent: TestAgent = await signUp(t, 'locked');
    for (let i = 0; i < SIGN_IN_FAILURE_THRESHOLD; i++) await t.client.fails(SignInDocument, { email: agent.email, password: `wrong ${i}` });
    expect((await t.client.fails(SignInDocument, { email: agent.email, password: PASSWORD })).code).toBe('RATE_LIMITED');
    const token = await requestLink(agent.email);
    await t.client.ok(ResetPasswordDocument, { token, newPassword: NEW_PASSWORD });
    await t.client.ok(SignInDocument, { email: agent.email, password: NEW_PASSWORD });
  });

  it('answers true for an address without an account, and sends nothing', async () => {
    const nobody = uniqueEmail('nobody');
    expect((await t.client.ok(RequestPasswordResetDocument, { email: nobody })).requestPasswordReset).toBe(true);
    expect(await t.gateway.db.manager.query('SELECT id FROM mail_outbox WHERE recipient = ?', [nobody])).toEqual([]);
    // A message to a real account sent after it shows the sender has passed the unknown address's turn.
    const agent = await signUp(t, 'after');
    await mail.waitFor(agent.email);
    expect(mail.to(nobody)).toEqual([]);
  });
});

describe.each(databaseKinds)('password reset budgets on %s', (kind) => {
  let gateway: Awaited<ReturnType<typeof startGatewayWithMail>>;
  let t: TestGateway;
  beforeAll(async () => {
    // One trusted proxy: each test client is told apart by its X-Forwarded-For.
    gateway = await startGatewayWithMail(kind, { RATE_LIMIT_ACCOUNT_MAILS_PER_HOUR: '3', TRUSTED_PROXY_HOPS: '1' });
    t = gateway.t;
  });
  afterAll(() => gateway?.close());
  const from = (ip: string) => t.client.withHeaders({ 'x-forwarded-for': ip });

  // Threat: a mailbox flooded with reset links from many addresses, known account or not.
  it('budgets requests per address, known or not (RATE_LIMITED with retryAfterSeconds), whatever the client address', async () => {
    const { signUp: known } = await from('203.0.113.1').ok(SignUpDocument, { email: uniqueEmail('known'), password: PASSWORD, name: 'Known' });
    for (const [n, email] of [known.agent.email, uniqueEmail('unknown')].entries()) {
      for (let i = 0; i < 3; i++) await from(`198.51.${n}.${i}`).ok(RequestPasswordResetDocument, { email });
      const refused = await from(`198.51.${n}.9`).fails(RequestPasswordResetDocument, { email });
      expect(refused.code).toBe('RATE_LIMITED');
      expect(refused.extensions?.retryAfterSeconds).toBe(3600);
    }
  });

  // Threat: one client probing many addresses.
  it('budgets requests per client IP, whatever the addresses', async () => {
    const client = from('192.0.2.77');
    for (let i = 0; i < 3; i++) await client.ok(RequestPasswordResetDocument, { email: uniqueEmail('probe') });
    expect((await client.fails(RequestPasswordResetDocument, { email: uniqueEmail('probe') })).code).toBe('RATE_LIMITED');
    await from('192.0.2.78').ok(RequestPasswordResetDocument, { email: uniqueEmail('probe') });
  });
});
