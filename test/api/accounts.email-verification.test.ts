// Threat: an account claims an address it does not read (a replayed, guessed, expired or superseded link
// verifies it), or a verification link is readable in the database.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MyAccountDocument, SendVerificationEmailDocument, SignUpDocument, VerifyEmailDocument } from '../../src/client/generated/graphql';
import { expectNoSecrets, linkToken, startGatewayWithMail } from '../helpers/account-mail';
import { databaseKinds } from '../helpers/databases';
import { PASSWORD, uniqueEmail } from '../helpers/fixtures';
import type { TestGateway } from '../helpers/gateway';
import type { TestMailServer } from '../helpers/mail-server';
import { databaseSnapshot } from '../helpers/snapshot';

describe.each(databaseKinds)('e-mail verification on %s', (kind) => {
  let gateway: Awaited<ReturnType<typeof startGatewayWithMail>>;
  let t: TestGateway;
  let mail: TestMailServer;

  beforeAll(async () => {
    gateway = await startGatewayWithMail(kind, { RATE_LIMIT_ACCOUNT_MAILS_PER_HOUR: '3' });
    ({ t, mail } = gateway);
  });
  afterAll(() => gateway?.close());

  /** Signs up; answers the session's client, the address and the token of the verification link that arrived. */
  async function signUpAndReadLink(label = 'verify') {
    const email = uniqueEmail(label);
    const { signUp } = await t.client.ok(SignUpDocument, { email, password: PASSWORD, name: 'Vera' });
    const received = await mail.waitFor(email, /Verify your e-mail address/);
    expectNoSecrets(received, [PASSWORD, signUp.token]);
    return { email, client: t.client.withToken(signUp.token), token: linkToken(t, received, '/verify-email'), received };
  }

  it('signUp e-mails a single-use link to the console; following it verifies the address, once', async () => {
    const { email, client, token, received } = await signUpAndReadLink();
    expect(received.to).toBe(email);
    expect(received.text).toContain('Vera');
    expect((await client.ok(MyAccountDocument)).me?.emailVerified).toBe(false);

    // No session needed: the link may be opened on another device.
    const { verifyEmail } = await t.client.ok(VerifyEmailDocument, { token });
    expect(verifyEmail).toMatchObject({ email, emailVerified: true });
    expect((await client.ok(MyAccountDocument)).me?.emailVerified).toBe(true);

    const before = await databaseSnapshot(t);
    expect((await t.client.fails(VerifyEmailDocument, { token })).code).toBe('INVALID_TOKEN');
    expect(await databaseSnapshot(t)).toBe(before);
  });

  it('keeps only the hash of a link token', async () => {
    const { token } = await signUpAndReadLink('hashed');
    const rows = await t.gateway.db.manager.query('SELECT * FROM account_tokens');
    expect(JSON.stringify(rows)).not.toContain(token);
    expect(rows.length).toBeGreaterThan(0);
  });

  it('refuses a guessed or malformed token as INVALID_TOKEN or BAD_USER_INPUT, and an expired one after 24 hours', async () => {
    expect((await t.client.fails(VerifyEmailDocument, { token: 'A'.repeat(43) })).code).toBe('INVALID_TOKEN');
    expect((await t.client.fails(VerifyEmailDocument, { token: 'x'.repeat(65) })).code).toBe('BAD_USER_INPUT');
    const { token } = await signUpAndReadLink('late');
    t.clock.advance(24 * 3600_000 + 1);
    expect((await t.client.fails(VerifyEmailDocument, { token })).code).toBe('INVALID_TOKEN');
  });

  it('sendVerificationEmail sends a fresh link that supersedes the older one; a verified address gets none', async () => {
    const { email, client, token: first } = await signUpAndReadLink('again');
    expect((await client.ok(SendVerificationEmailDocument)).sendVerificationEmail).toBe(true);
    const links = () => mail.to(email).filter((m) => /Verify/.test(m.subject));
    await expectEventually(async () => links().length === 2);
    const second = linkToken(t, links()[1], '/verify-email');
    expect(second).not.toBe(first);
    expect((await t.client.fails(VerifyEmailDocument, { token: first })).code).toBe('INVALID_TOKEN');
    await t.client.ok(VerifyEmailDocument, { token: second });

    expect((await client.ok(SendVerificationEmailDocument)).sendVerificationEmail).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(links().length).toBe(2);
  });

  it('budgets verification e-mails per address: RATE_LIMITED past RATE_LIMIT_ACCOUNT_MAILS_PER_HOUR', async () => {
    const { client } = await signUpAndReadLink('flood');
    for (let i = 0; i < 3; i++) await client.ok(SendVerificationEmailDocument);
    const refused = await client.fails(SendVerificationEmailDocument);
    expect(refused.code).toBe('RATE_LIMITED');
    expect(refused.extensions?.retryAfterSeconds).toBe(3600);
  });

  it('needs a session to send a link', async () => {
    expect((await t.client.fails(SendVerificationEmailDocument)).code).toBe('UNAUTHENTICATED');
  });
});

async function expectEventually(condition: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
