// Threat: two gateway processes send one message twice; a gateway in production runs without a mail server and
// silently sends no security notice; a message waiting under a retired key is lost; or the development fallback
// leaves its .eml files (link tokens inside) readable by other users.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { simpleParser } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RevokeAgentSessionsDocument } from '../../src/client/generated/graphql';
import { GraphQLClient } from '../helpers/client';
import { TestClock } from '../helpers/clock';
import { databaseKinds, scratchDatabase, ScratchDatabase } from '../helpers/databases';
import { addMember, createTenant, signUp, TestAgent, TestTenant } from '../helpers/fixtures';
import type { TestGateway } from '../helpers/gateway';
import { TestMailServer } from '../helpers/mail-server';
import { ensureServerBuilt } from './build-check';
import { GatewayProcess, openGateway, productionEnv, sleep, spawnGateway } from './harness';

const ROOT = path.resolve(__dirname, '../..');
const MAIL_FROM = 'Gateway <no-reply@gateway.test>';

async function runBuilt(script: string, env: Record<string, string>): Promise<{ code: number; output: string }> {
  ensureServerBuilt();
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [path.join(ROOT, script)], { env: { PATH: process.env.PATH, ...env }, timeout: 60_000 });
    return { code: 0, output: stdout + stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, output: e.stdout + e.stderr };
  }
}

/** The fixtures' view of a gateway process: its client, and a clock it never moves. */
const viaProcess = (client: GraphQLClient) => ({ client, clock: new TestClock() }) as unknown as TestGateway;

/**
 * A tenant (2FA off) with `count` members, whose sessions the owner can revoke: one notice each (each sign-up and
 * addition sends its own message too: a verification link, "you were added").
 */
async function membersToNotify(t: TestGateway, count: number): Promise<{ tenant: TestTenant; members: TestAgent[] }> {
  const tenant = await createTenant(t);
  const members: TestAgent[] = [];
  for (let i = 0; i < count; i++) {
    const agent = await signUp(t, 'notified');
    await addMember(tenant, agent);
    members.push(agent);
  }
  return { tenant, members };
}

describe('mail settings at start-up', () => {
  it('production without SMTP_URL refuses to start, in one line that says what to set', async () => {
    const database = await scratchDatabase('sqlite');
    try {
      const env = productionEnv(database);
      delete env.MAIL_DELIVERY;
      const { code, output } = await runBuilt('dist/src/main.js', { ...env, PORT: '0' });
      expect(code).toBe(1);
      expect(output).toMatch(/SMTP_URL is required in production: security notices .* or MAIL_DELIVERY=off to run without e-mail/);
      expect(output).not.toMatch(/^\s+at /m);
    } finally {
      await database.drop();
    }
  });

  it('development without SMTP_URL writes each message as an .eml file under DATA_DIR/outbox (0600) and logs its path', async () => {
    const database = await scratchDatabase('sqlite');
    let gateway: GatewayProcess | undefined;
    try {
      gateway = await spawnGateway({ DATA_DIR: database.dataDir, LOG_LEVEL: 'info', MAIL_POLL_INTERVAL_MS: '100' });
      const t = viaProcess(new GraphQLClient(gateway.url));
      const { tenant, members } = await membersToNotify(t, 1);
      await tenant.owner.client.ok(RevokeAgentSessionsDocument, { tenantId: tenant.id, agentId: members[0].id });
      const deadline = Date.now() + 15_000;
      const notice = async () => {
        for (const [, logged] of gateway!.output().matchAll(/Mail written to (\S+\.eml)/g)) {
          const parsed = await simpleParser(readFileSync(logged));
          if (parsed.subject?.includes('signed out')) return { file: logged, parsed };
        }
        return undefined;
      };
      let found: Awaited<ReturnType<typeof notice>>;
      while (!(found = await notice())) {
        if (Date.now() > deadline) throw new Error(`no .eml of the notice logged: ${gateway.output()}`);
        await sleep(50);
      }
      const { file, parsed } = found;
      expect(path.dirname(file)).toBe(path.join(database.dataDir, 'outbox'));
      expect(statSync(file).mode & 0o777).toBe(0o600);
      expect(statSync(path.dirname(file)).mode & 0o777).toBe(0o700);
      expect(parsed.to && 'text' in parsed.to ? parsed.to.text : '').toBe(members[0].email);
      expect(parsed.subject).toBe('Your sessions were signed out of Acme Support');
      expect(parsed.text).toContain(`${gateway.url}/my/profile/two-factor`);
      expect(typeof parsed.html === 'string' && parsed.html.includes('Acme Support')).toBe(true);
    } finally {
      await gateway?.stop();
      await database.drop();
    }
  });
});

describe.each(databaseKinds)('mail with two gateway processes on one %s database (real clock)', (kind) => {
  let database: ScratchDatabase;
  let mail: TestMailServer;
  let gateways: GatewayProcess[] = [];

  beforeAll(async () => {
    database = await scratchDatabase(kind);
    // A slow mail server, so that both processes are busy sending at once.
    mail = await TestMailServer.start({ delayMs: 20 });
    const env = productionEnv(database, { SMTP_URL: mail.url, MAIL_FROM, MAIL_POLL_INTERVAL_MS: '50', LOG_LEVEL: 'info' });
    gateways = [await spawnGateway(env)];
    gateways.push(await spawnGateway(env));
  });
  afterAll(async () => {
    const exitCodes = await Promise.all(gateways.map((g) => g.stop()));
    await mail?.stop();
    await database?.drop();
    expect(exitCodes).toEqual(gateways.map(() => 0));
  });

  it('never send one row twice: every message arrives once, and both processes sent some', async () => {
    const clients = gateways.map((g) => new GraphQLClient(g.url));
    const { tenant, members } = await membersToNotify(viaProcess(clients[0]), 40);
    const owner = clients.map((client) => client.withToken(tenant.owner.token));
    // Half the events through each process, all at once.
    await Promise.all(members.map((agent, i) => owner[i % 2].ok(RevokeAgentSessionsDocument, { tenantId: tenant.id, agentId: agent.id })));
    const notices = () => mail.received.filter((m) => /signed out/.test(m.subject));
    for (const deadline = Date.now() + 30_000; notices().length < members.length; await sleep(25)) {
      if (Date.now() > deadline) throw new Error(`${notices().length} of ${members.length} notices arrived`);
    }
    await sleep(1000);
    expect(notices().map((m) => m.to).sort()).toEqual(members.map((m) => m.email).sort());
    // Every message (the notices, and the sign-ups' and additions' own) arrived once.
    expect(new Set(mail.received.map((m) => m.messageId)).size).toBe(mail.received.length);
    const sentBy = gateways.map((g) => [...g.output().matchAll(/"mailId":"([^"]+)"[^\n]*"msg":"mail sent"/g)].map((match) => match[1]));
    expect(sentBy.every((ids) => ids.length > 0), `sent by each process: ${sentBy.map((ids) => ids.length)}`).toBe(true);
    expect(sentBy.flat().sort()).toEqual([...new Set(sentBy.flat())].sort());
    expect(sentBy.flat()).toHaveLength(mail.received.length);
  });
});

describe.each(databaseKinds)('a message waiting across a key rotation on %s', (kind) => {
  const key = (id: string) => `${id}:${randomBytes(32).toString('base64')}`;
  const K1 = key('k1');
  const K2 = key('k2');

  it('stops a gateway without its key from starting; rotate-keys re-seals it; then it is sent under the new key', async () => {
    const database = await scratchDatabase(kind);
    const mail = await TestMailServer.start();
    await mail.stop(); // the mail server is down: the message waits
    const clock = new TestClock();
    try {
      const env = { SMTP_URL: mail.url, MAIL_FROM };
      const first = await openGateway(kind, database, { clock, env: { ...env, ENCRYPTION_KEYS: K1 } });
      const { tenant, members } = await membersToNotify(first, 1);
      await tenant.owner.client.ok(RevokeAgentSessionsDocument, { tenantId: tenant.id, agentId: members[0].id });
      const waiting = async () => (await first.gateway.db.manager.query("SELECT key_id, attempts FROM mail_outbox WHERE state = 'PENDING'")) as Array<{ key_id: string; attempts: number }>;
      for (const deadline = Date.now() + 10_000; Number((await waiting())[0]?.attempts ?? 0) < 1; await sleep(25)) {
        if (Date.now() > deadline) throw new Error('the message was never tried');
      }
      expect(new Set((await waiting()).map((row) => row.key_id))).toEqual(new Set(['k1']));
      const waitingCount = (await waiting()).length;
      await first.close();

      const refused = await runBuilt('dist/src/main.js', productionEnv(database, { ...env, ENCRYPTION_KEYS: K2, PORT: '0' }));
      expect(refused.code).toBe(1);
      expect(refused.output).toMatch(/key id "k1"/);

      const rotated = await runBuilt('dist/src/cli/rotate-keys.js', productionEnv(database, { ...env, ENCRYPTION_KEYS: `${K2},${K1}` }));
      expect(rotated).toMatchObject({ code: 0, output: expect.stringContaining(`${waitingCount} e-mails waiting to be sent re-encrypted to key "k2"`) });

      await mail.start();
      clock.advance(3600_000); // its retry is due
      const second = await openGateway(kind, database, { clock, env: { SMTP_URL: mail.url, MAIL_FROM, ENCRYPTION_KEYS: K2, MAIL_POLL_INTERVAL_MS: '100' } });
      try {
        const received = await mail.waitFor(members[0].email, /signed out/);
        expect(received.subject).toContain('signed out');
      } finally {
        await second.close();
      }
    } finally {
      await mail.stop();
      await database.drop();
    }
  });
});
