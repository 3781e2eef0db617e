// Threat: a mail server outage, a refused recipient or a second gateway process loses a security notice, sends
// it twice, or leaves a link's token readable in the database.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RevokeAgentSessionsDocument } from '../../src/client/generated/graphql';
import { sqlExecute } from '../../src/db/database';
import { CLAIM_LEASE_MS, GIVE_UP_AFTER_MS, KEEP_FINISHED_MS } from '../../src/mail/mail-sender';
import { databaseKinds } from '../helpers/databases';
import { addMember, createTenant, signUp, TestAgent, TestTenant } from '../helpers/fixtures';
import { startTestGateway, TestGateway } from '../helpers/gateway';
import { TestMailServer } from '../helpers/mail-server';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const HOUR = 3600_000;

interface OutboxRow {
  id: string;
  recipient: string;
  template: string;
  data: string;
  key_id: string;
  state: string;
  attempts: number;
  last_error: string | null;
}

describe.each(databaseKinds)('the mail outbox (%s)', (kind) => {
  let t: TestGateway;
  let mail: TestMailServer;
  let tenant: TestTenant;

  beforeAll(async () => {
    mail = await TestMailServer.start({ refuse: (to) => to.startsWith('refused-') });
    t = await startTestGateway(kind, { SMTP_URL: mail.url, MAIL_FROM: 'Acme Sign-in <no-reply@gateway.test>', MAIL_POLL_INTERVAL_MS: '100' });
    tenant = await createTenant(t, { name: 'Outbox & Co' }); // 2FA off: revoking a member's sessions needs no step-up
  });
  afterAll(async () => {
    await t?.close();
    await mail?.stop();
  });

  const rows = async (where = '1 = 1', params: unknown[] = []): Promise<OutboxRow[]> =>
    (await t.gateway.db.manager.query(`SELECT * FROM mail_outbox WHERE ${where} ORDER BY id`, params)).map((row: OutboxRow) => ({ ...row, attempts: Number(row.attempts) }));

  /**
   * A member whose sessions the owner then revokes: one SESSIONS_REVOKED notice to it. Its sign-up and its
   * addition wrote messages of their own (a verification link, "you were added"): they are out before it returns.
   */
  async function member(label = 'member'): Promise<TestAgent> {
    const agent = await signUp(t, label);
    await addMember(tenant, agent);
    await until(async () => (await rows('recipient = ?', [agent.email])).every((row) => row.state !== 'PENDING'), 'the sign-up and member-added messages');
    return agent;
  }
  /** The SESSIONS_REVOKED notices' rows of these recipients. */
  const notices = (emails: string[]) => rows(`template = 'sessions-revoked' AND recipient IN (${emails.map(() => '?').join(', ')})`, emails);
  const noticesTo = (email: string) => mail.to(email).filter((received) => /signed out of/.test(received.subject));
  const revoke = (agent: TestAgent) => tenant.owner.client.ok(RevokeAgentSessionsDocument, { tenantId: tenant.id, agentId: agent.id });

  async function until(condition: () => Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!(await condition())) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await sleep(25);
    }
  }

  it('sends a message written with its change, once, from MAIL_FROM, with text and HTML parts and its row id as Message-ID', async () => {
    const agent = await member();
    const before = mail.received.length;
    await revoke(agent);
    const received = await mail.waitFor(agent.email, /signed out of/);
    expect(received.from).toBe('"Acme Sign-in" <no-reply@gateway.test>');
    expect(received.text).toContain('Outbox & Co');
    expect(received.html).toContain('Outbox &amp; Co');
    const [row] = await notices([agent.email]);
    expect(received.messageId).toBe(`<${row.id}@${new URL(t.gateway.services.publicUrl.base).hostname}>`);
    // The mail server holds the message before the sender hears its answer and marks the row.
    await until(async () => (await notices([agent.email]))[0].state !== 'PENDING', 'the notice marked');
    await sleep(500);
    expect(mail.received.length).toBe(before + 1);
    expect((await notices([agent.email]))[0]).toMatchObject({ state: 'SENT', attempts: 1, data: '', key_id: '', last_error: null });
  });

  it('keeps every message through a mail server outage and sends each once when the server is back', async () => {
    const agents = [await member('outage'), await member('outage'), await member('outage')];
    const before = mail.received.length;
    await mail.stop();
    for (const agent of agents) await revoke(agent);
    const emails = agents.map((agent) => agent.email);
    await until(async () => (await notices(emails)).every((row) => row.attempts === 1), 'a first failed attempt of each');

    const waiting = await notices(emails);
    expect(waiting.map((row) => row.state)).toEqual(['PENDING', 'PENDING', 'PENDING']);
    expect(waiting[0].last_error).toMatch(/ECONNREFUSED|connect/i);
    // The data is sealed at rest: neither the tenant's name nor the client address is readable in the row.
    for (const row of waiting) {
      expect(row.key_id).toBe('test1');
      expect(row.data).toMatch(/^v1\.test1\./);
      expect(row.data).not.toMatch(/Outbox|127\.0\.0\.1/);
    }

    await mail.start();
    await sleep(600); // several polls: nothing is due before its retry time (about 30 s on the gateway's clock)
    expect(mail.received.length).toBe(before);
    t.clock.advance(2 * 60_000);
    await mail.waitForCount(before + 3);
    await sleep(600);
    expect(mail.received.slice(before).map((m) => m.to).sort()).toEqual([...emails].sort());
    expect((await notices(emails)).map((row) => [row.state, row.attempts, row.data])).toEqual([
      ['SENT', 2, ''],
      ['SENT', 2, ''],
      ['SENT', 2, ''],
    ]);
  });

  it('gives a message up at once when the mail server refuses its recipient for good', async () => {
    const agent = await member('refused');
    await revoke(agent);
    await until(async () => (await notices([agent.email]))[0]?.state !== 'PENDING', 'the row to finish');
    const [row] = await notices([agent.email]);
    expect(row).toMatchObject({ state: 'FAILED', attempts: 1, data: '', key_id: '' });
    expect(row.last_error).toMatch(/550|rejected/);
    expect(mail.to(agent.email)).toEqual([]);
  });

  it('frees the rows of a claim whose lease ran out (a process that died mid-send), and sends them once', async () => {
    const agent = await member('lease');
    await mail.stop();
    try {
      // A claim by a process that then died: the row is held until the lease ends, and only then taken again.
      await revoke(agent);
      await until(async () => (await notices([agent.email]))[0]?.attempts === 1, 'a first failed attempt');
      const now = t.clock.now();
      await sqlExecute(t.gateway.db.manager, "UPDATE mail_outbox SET claim_token = ?, claimed_until = ?, next_attempt_at = ? WHERE recipient = ? AND template = 'sessions-revoked'", [
        'a-process-that-died',
        new Date(now.getTime() + CLAIM_LEASE_MS),
        now,
        agent.email,
      ]);
    } finally {
      await mail.start();
    }
    await sleep(500);
    expect(noticesTo(agent.email)).toEqual([]);
    t.clock.advance(CLAIM_LEASE_MS);
    await mail.waitFor(agent.email, /signed out of/);
    await sleep(500);
    expect(noticesTo(agent.email)).toHaveLength(1);
  });

  it('two gateway instances on one database send each message once', async () => {
    const peer = await t.startPeer();
    try {
      const agents: TestAgent[] = [];
      for (let i = 0; i < 12; i++) agents.push(await member('raced'));
      const before = mail.received.length;
      const peerOwner = peer.client.withToken(tenant.owner.token);
      await Promise.all(agents.map((agent, i) => (i % 2 ? peerOwner : tenant.owner.client).ok(RevokeAgentSessionsDocument, { tenantId: tenant.id, agentId: agent.id })));
      await mail.waitForCount(before + agents.length);
      await sleep(800);
      const received = mail.received.slice(before).map((m) => m.to).sort();
      expect(received).toEqual(agents.map((agent) => agent.email).sort());
    } finally {
      await peer.close();
    }
  });
  // Last: it moves the clock on by days, past every session's lifetime.
  it('gives a message up after three days of failures, and deletes finished rows a week after they finished', async () => {
    const agent = await member('given-up');
    await mail.stop();
    try {
      await revoke(agent);
      await until(async () => (await notices([agent.email]))[0]?.attempts === 1, 'a first failed attempt');
      t.clock.advance(GIVE_UP_AFTER_MS);
      await until(async () => (await notices([agent.email]))[0]?.state === 'FAILED', 'the row to be given up');
    } finally {
      await mail.start();
    }
    const finished = (await rows("state <> 'PENDING'")).length;
    expect(finished).toBeGreaterThan(1);
    t.clock.advance(KEEP_FINISHED_MS + HOUR);
    await until(async () => (await rows("state <> 'PENDING'")).length === 0, 'the purge of finished rows');
  });
});
