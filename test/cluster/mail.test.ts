// Threat: gateways on different nodes of a Galera cluster, where row locks hold on one node only, both claim one
// outbox row and send the message twice.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RevokeAgentSessionsDocument } from '../../src/client/generated/graphql';
import { GraphQLClient } from '../helpers/client';
import { addMember, createTenant, signUp, TestAgent } from '../helpers/fixtures';
import { TestMailServer } from '../helpers/mail-server';
import { GatewayProcess, mysqlReader, sleep } from '../hardening/harness';
import { ClusterDatabase, clusterDatabase, conflictCount, gatewaysOn, realClockGateway, theCluster } from './galera';

const cluster = theCluster();
/** Messages, 20 written through each node. */
const MESSAGES = 60;

describe('e-mail with three gateways on three Galera nodes', () => {
  let database: ClusterDatabase;
  let mail: TestMailServer;
  let gateways: GatewayProcess[] = [];
  let clients: GraphQLClient[];

  beforeAll(async () => {
    database = await clusterDatabase(cluster);
    mail = await TestMailServer.start({ delayMs: 20 }); // slow: the three processes are sending at once
    gateways = await gatewaysOn(database, [1, 2, 3], { SMTP_URL: mail.url, MAIL_FROM: 'Gateway <no-reply@gateway.test>', MAIL_POLL_INTERVAL_MS: '50', LOG_LEVEL: 'info' });
    clients = gateways.map((g) => new GraphQLClient(g.url));
  });
  afterAll(async () => {
    await Promise.all(gateways.map((g) => g.stop()));
    await mail?.stop();
    await database?.drop();
  });

  it('sends each message once, whichever node wrote it and whichever gateway claims it', async () => {
    const t = realClockGateway(clients[0]);
    const tenant = await createTenant(t);
    const members: TestAgent[] = [];
    for (let i = 0; i < MESSAGES; i++) {
      const agent = await signUp(t, 'clustered');
      await addMember(tenant, agent);
      members.push(agent);
    }
    // Each sign-up and addition sent its own message (a verification link, "you were added"): out first.
    const setupMessages = 2 * MESSAGES + 1;
    await mail.waitForCount(setupMessages, 60_000);
    await sleep(500); // every node has applied the members
    const setupIds = new Set(mail.received.map((m) => m.messageId));
    expect(setupIds.size).toBe(setupMessages);
    mail.received.splice(0);
    const conflictsBefore = await conflictCount(cluster);
    const owner = clients.map((client) => client.withToken(tenant.owner.token));
    await Promise.all(members.map((agent, i) => owner[i % 3].ok(RevokeAgentSessionsDocument, { tenantId: tenant.id, agentId: agent.id })));
    await mail.waitForCount(MESSAGES, 60_000);
    await sleep(2000);

    expect(mail.received.map((m) => m.to).sort()).toEqual(members.map((m) => m.email).sort());
    expect(new Set(mail.received.map((m) => m.messageId)).size).toBe(MESSAGES);
    const sentBy = gateways.map((g) => [...g.output().matchAll(/"mailId":"([^"]+)"[^\n]*"msg":"mail sent"/g)].map((match) => match[1]));
    expect(sentBy.flat()).toHaveLength(setupMessages + MESSAGES);
    expect(new Set(sentBy.flat()).size).toBe(setupMessages + MESSAGES);
    console.log(`sent per gateway: ${sentBy.map((ids) => ids.length).join(', ')}; certification conflicts retried: ${(await conflictCount(cluster)) - conflictsBefore}`);

    const reader = await mysqlReader(database.on(2).url!);
    try {
      const rows = await reader.query("SELECT state, COUNT(*) AS n, MAX(attempts) AS attempts FROM mail_outbox GROUP BY state");
      expect(rows.map((row) => ({ state: row.state, n: Number(row.n), attempts: Number(row.attempts) }))).toEqual([{ state: 'SENT', n: setupMessages + MESSAGES, attempts: 1 }]);
    } finally {
      await reader.close();
    }
  });
});
