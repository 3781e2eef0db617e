// Threat: an agent never learns that someone turned its 2FA off, added a factor, used a recovery code or locked it
// out; or a notice carries a secret, a code or a link that does not lead to the gateway.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DisableTwoFactorDocument,
  EnterWorkspaceDocument,
  RegenerateRecoveryCodesDocument,
  RemovePasskeyDocument,
  RemoveTotpAuthenticatorDocument,
  ResetAgentTwoFactorDocument,
  RevokeAgentSessionsDocument,
  SignInDocument,
  UseRecoveryCodeDocument,
  VerifyTwoFactorDocument,
} from '../../src/client/generated/graphql';
import { recordAudit } from '../../src/audit/audit-log';
import { signInLocked } from '../../src/mail/templates/sign-in-locked';
import { databaseKinds } from '../helpers/databases';
import { addMember, createTenant, enrol, Enrolment, signUp, TestAgent, TestTenant, wrongCode } from '../helpers/fixtures';
import { startTestGateway, TestGateway } from '../helpers/gateway';
import { ReceivedMail, TestMailServer } from '../helpers/mail-server';
import { addPasskey, PASSKEY_ENV, TEST_ORIGIN } from '../helpers/passkeys';
import { SoftwareAuthenticator } from '../helpers/software-authenticator';
import { challengedSession, signInAgain } from '../helpers/two-factor';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** A tenant name that HTML must escape, and the device every agent's requests come from. */
const TENANT = 'Acme <Support> & "Co"';
const DEVICE = 'NoticeBrowser/7.1 (Test OS; device under test)';
const PUBLIC_URL = 'https://auth.notices.test';

describe.each(databaseKinds)('security notices by e-mail (%s)', (kind) => {
  let t: TestGateway;
  let mail: TestMailServer;
  let tenant: TestTenant;

  beforeAll(async () => {
    mail = await TestMailServer.start();
    t = await startTestGateway(kind, { ...PASSKEY_ENV, PUBLIC_URL, SMTP_URL: mail.url, MAIL_POLL_INTERVAL_MS: '100' });
    tenant = await createTenant(t, { twoFactor: true, name: TENANT });
    await enrol(t, tenant.owner, tenant.id); // the owner's standing, for resets (step-up)
  });
  afterAll(async () => {
    await t?.close();
    await mail?.stop();
  });

  /**
   * A member of the tenant whose requests come from DEVICE. Its sign-up and its addition send messages of their
   * own (a verification link, "you were added"): they are received and set aside, so only notices remain.
   */
  async function member(label = 'member'): Promise<TestAgent> {
    const agent = await signUp(t, label);
    await addMember(tenant, agent);
    for (const subject of [/Verify your e-mail address/, /You were added to/]) {
      const received = await mail.waitFor(agent.email, subject);
      mail.received.splice(mail.received.indexOf(received), 1);
    }
    return { ...agent, client: agent.client.withHeaders({ 'user-agent': DEVICE }) };
  }

  /** When the gateway's clock says the next event happens, as notices write it. */
  const whenNow = () => `${t.clock.now().toISOString().slice(0, 19).replace('T', ' ')} UTC`;

  /**
   * The one notice `agent` received since `before` messages in all: its subject, the tenant (escaped in HTML), the
   * time, the client address and device, links only to PUBLIC_URL, and none of `secrets`.
   */
  async function notice(agent: TestAgent, subject: RegExp, when: string, secrets: string[] = []): Promise<ReceivedMail> {
    const received = await mail.waitFor(agent.email, subject);
    await sleep(300); // nothing else for this event
    expect(mail.to(agent.email).filter((m) => subject.test(m.subject))).toHaveLength(1);
    expect(received.to).toBe(agent.email);
    expect(received.subject).toContain(TENANT);
    expect(received.text).toContain(TENANT);
    expect(received.html).toContain('Acme &lt;Support&gt; &amp; &quot;Co&quot;');
    expect(received.html).not.toContain('<Support>');
    for (const part of [received.text, received.html]) {
      expect(part).toContain(when);
      expect(part).toContain('127.0.0.1');
      expect(part).toContain('NoticeBrowser/7.1 (Test OS; device under test)');
    }
    expect(received.links.length).toBeGreaterThan(0);
    for (const link of received.links) expect(link === PUBLIC_URL || link.startsWith(`${PUBLIC_URL}/`), link).toBe(true);
    expect(received.links).toContain(`${PUBLIC_URL}/my/profile/two-factor`);
    for (const secret of secrets) {
      for (const part of [received.text, received.html, received.headers]) expect(part.toUpperCase()).not.toContain(secret.toUpperCase());
    }
    return received;
  }

  const secretsOf = (enrolment: Enrolment) => [enrolment.secret, ...enrolment.recoveryCodes, ...enrolment.recoveryCodes.map((code) => code.replace('-', ''))];

  it('2FA turned on: names the tenant, time, address and device, with no secret or recovery code', async () => {
    const agent = await member();
    const when = whenNow();
    const enrolment = await enrol(t, agent, tenant.id);
    const received = await notice(agent, /turned on/, when, [...secretsOf(enrolment), agent.password]);
    expect(received.text).toContain('Review your security settings');
  });

  it('recovery codes regenerated and a recovery code used (with how many are left); neither code is in the message', async () => {
    const agent = await member();
    const enrolment = await enrol(t, agent, tenant.id);
    let when = whenNow();
    const { regenerateRecoveryCodes } = await agent.client.ok(RegenerateRecoveryCodesDocument, { tenantId: tenant.id, password: agent.password });
    const codes = regenerateRecoveryCodes.codes;
    await notice(agent, /New recovery codes/, when, [...secretsOf(enrolment), ...codes]);

    const { session, challengeId } = await challengedSession(t, agent, tenant.secureWorkspaceId);
    when = whenNow();
    await session.client.withHeaders({ 'user-agent': DEVICE }).ok(UseRecoveryCodeDocument, { challengeId, code: codes[0] });
    const used = await notice(agent, /Recovery code used/, when, [...codes, enrolment.secret]);
    expect(used.text).toContain('7 unused codes are left');
  });

  it('passkey added, authenticator app removed and added again, passkey removed, 2FA turned off: one notice each', async () => {
    const agent = await member();
    const enrolment = await enrol(t, agent, tenant.id);
    const authenticator = new SoftwareAuthenticator(TEST_ORIGIN);
    let when = whenNow();
    const passkey = await addPasskey(agent, tenant.id, authenticator, 'Work laptop');
    await notice(agent, /Passkey added/, when, secretsOf(enrolment));

    when = whenNow();
    await agent.client.ok(RemoveTotpAuthenticatorDocument, { tenantId: tenant.id, password: agent.password });
    await notice(agent, /Authenticator app removed/, when);

    when = whenNow();
    const again = await enrol(t, agent, tenant.id); // TOTP beside the passkey: TOTP_ADDED, no new codes
    await notice(agent, /Authenticator app added/, when, [again.secret]);

    when = whenNow();
    await agent.client.ok(RemovePasskeyDocument, { tenantId: tenant.id, passkeyId: passkey.passkey.id, password: agent.password });
    await notice(agent, /Passkey removed/, when);

    when = whenNow();
    await agent.client.ok(DisableTwoFactorDocument, { tenantId: tenant.id, password: agent.password });
    await notice(agent, /turned off/, when);
    expect(mail.to(agent.email)).toHaveLength(6); // with "turned on" at enrolment
  });

  it('the first passkey turns 2FA on: one message for the one event; a second passkey is "passkey added"', async () => {
    const agent = await member();
    const authenticator = new SoftwareAuthenticator(TEST_ORIGIN);
    let when = whenNow();
    await addPasskey(agent, tenant.id, authenticator);
    await notice(agent, /turned on/, when);
    expect(mail.to(agent.email)).toHaveLength(1);
    when = whenNow();
    await addPasskey(agent, tenant.id, authenticator, 'Phone');
    await notice(agent, /Passkey added/, when);
    expect(mail.to(agent.email)).toHaveLength(2);
  });

  it("an admin's reset and revocation tell the agent, naming the admin's address and device", async () => {
    const agent = await member();
    await enrol(t, agent, tenant.id);
    const admin = tenant.owner.client.withHeaders({ 'user-agent': DEVICE });
    let when = whenNow();
    await admin.ok(RevokeAgentSessionsDocument, { tenantId: tenant.id, agentId: agent.id });
    const revoked = await notice(agent, /signed out/, when);
    expect(revoked.text).toContain('An administrator');
    when = whenNow();
    await admin.ok(ResetAgentTwoFactorDocument, { tenantId: tenant.id, agentId: agent.id });
    await notice(agent, /reset/, when);
    expect(mail.to(tenant.owner.email).filter((m) => /reset|signed out/.test(m.subject))).toEqual([]);
  });

  it('the pair locked after 10 wrong answers: one notice, when the lock is set', async () => {
    const agent = await member();
    const enrolment = await enrol(t, agent, tenant.id);
    let when = '';
    for (let failures = 0; failures < 10; ) {
      const { session, challengeId } = await challengedSession(t, agent, tenant.secureWorkspaceId);
      for (let attempt = 0; attempt < 5 && failures < 10; attempt++, failures++) {
        if (failures === 9) when = whenNow();
        await session.client.withHeaders({ 'user-agent': DEVICE }).request(VerifyTwoFactorDocument, { challengeId, code: wrongCode(t, enrolment.secret) });
      }
    }
    await notice(agent, /locked/, when, [enrolment.secret]);
    // Refused while the lock holds: no further notice.
    const again = await signInAgain(t, agent);
    expect((await again.client.request(EnterWorkspaceDocument, { workspaceId: tenant.secureWorkspaceId })).errors?.[0]?.extensions?.code).toBe('RATE_LIMITED');
    await sleep(300);
    expect(mail.to(agent.email).filter((m) => /locked/.test(m.subject))).toHaveLength(1);
  });

  it('a remembered device: the notice is there for the DEVICE_REMEMBERED audit action', async () => {
    const agent = await member();
    const when = whenNow();
    await t.gateway.db.transaction((tx) =>
      recordAudit(tx, t.clock.now(), { clientIp: '127.0.0.1', userAgent: DEVICE }, { tenantId: tenant.id, action: 'DEVICE_REMEMBERED', actorAgentId: agent.id, subjectAgentId: agent.id }),
    );
    await notice(agent, /remembered/, when);
  });

  it('an event whose transaction rolls back sends nothing', async () => {
    const agent = await member();
    await expect(
      t.gateway.db.transaction(async (tx) => {
        await recordAudit(tx, t.clock.now(), { clientIp: '127.0.0.1' }, { tenantId: tenant.id, action: 'TWO_FACTOR_DISABLED', actorAgentId: agent.id, subjectAgentId: agent.id });
        throw new Error('the change failed');
      }),
    ).rejects.toThrow('the change failed');
    await sleep(500);
    expect(mail.to(agent.email)).toEqual([]);
    const [{ n }] = await t.gateway.db.manager.query("SELECT COUNT(*) AS n FROM mail_outbox WHERE recipient = ? AND template = 'two-factor-disabled'", [agent.email]);
    expect(Number(n)).toBe(0);
  });

  it('notifyAccount (the sign-in lock): the account gets the notice; an address without an account gets nothing, through the same statements', async () => {
    const agent = await member();
    const { notices } = t.gateway.services.mail;
    const origin = { clientIp: '127.0.0.1', userAgent: DEVICE };
    const shapeOf = async (email: string) => {
      t.statements.reset();
      await t.gateway.db.transaction((tx) => notices.notifyAccount(tx, { email }, signInLocked, origin, t.clock.now()));
      return t.statements.statements.map((sql) => sql.replace(/\s+/g, ' '));
    };
    const when = whenNow();
    const known = await shapeOf(agent.email);
    const unknown = await shapeOf('nobody-at-all@example.test');
    expect(unknown).toEqual(known);
    const received = await mail.waitFor(agent.email, /Sign-in to your account locked/);
    expect(received.text).toContain(when);
    expect(received.text).toContain(DEVICE);
    expect(received.text).not.toContain('Tenant');
    await sleep(300);
    expect(mail.to('nobody-at-all@example.test')).toEqual([]);
  });

  // Threat: someone guessing an agent's password locks its sign-in, and the agent never learns of it.
  it('the account sign-in lock tells the agent once, at the wrong password that locks it; an unknown address runs the same statements', async () => {
    const agent = await member();
    const guesser = t.client.withHeaders({ 'user-agent': DEVICE });
    const shapesOfFailures = async (email: string) => {
      const shapes: string[][] = [];
      for (let attempt = 1; attempt <= 11; attempt++) {
        t.statements.reset();
        const { errors } = await guesser.request(SignInDocument, { email, password: 'not the password' });
        expect(errors?.[0]?.extensions?.code).toBe(attempt <= 10 ? 'INVALID_CREDENTIALS' : 'RATE_LIMITED');
        shapes.push(t.statements.statements.map((sql) => sql.replace(/\s+/g, ' ')));
      }
      return shapes;
    };
    const known = await shapesOfFailures(agent.email);
    expect(await shapesOfFailures('nobody-locked@example.test')).toEqual(known);
    expect(known[9].some((sql) => sql.includes('mail_outbox'))).toBe(true); // the 10th failure writes the notice
    const received = await mail.waitFor(agent.email, /Sign-in to your account locked/);
    expect(received.text).toContain(DEVICE);
    await sleep(500);
    expect(mail.to(agent.email).filter((m) => /Sign-in to your account locked/.test(m.subject ?? ''))).toHaveLength(1);
    expect(mail.to('nobody-locked@example.test')).toEqual([]);
  });
});
