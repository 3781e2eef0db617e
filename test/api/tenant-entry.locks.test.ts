// Threat: an enter that records the visit waits on its session's row. On a Galera node a challenge of that session
// opened on another node is applied here under that row's lock; a visit that waits for the row while the node
// waits for it stalls the node, and every read on it times out (seen once under a storm of enters, CI).
import { createConnection } from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EnterTenantDocument } from '../../src/client/generated/graphql';
import { hashSessionToken } from '../../src/crypto/tokens';
import { addMember, createTenant, signUp } from '../helpers/fixtures';
import { startTestGateway, TestGateway } from '../helpers/gateway';
import { signInAgain } from '../helpers/two-factor';

describe.runIf(process.env.TEST_MYSQL_URL)('recording a tenant visit on MariaDB', () => {
  let t: TestGateway;
  beforeAll(async () => {
    t = await startTestGateway('mariadb', { LOG_LEVEL: 'silent' });
  });
  afterAll(() => t?.close());

  it('does not wait for a lock held on the session row, and still records the visit', async () => {
    const tenant = await createTenant(t);
    const agent = await signUp(t, 'visitor');
    await addMember(tenant, agent);
    const session = await signInAgain(t, agent);
    const holder = await createConnection({ uri: t.database.url!, timezone: 'Z' });
    try {
      await holder.beginTransaction();
      const [rows] = await holder.query('SELECT id FROM sessions WHERE token_hash = ? FOR UPDATE', [hashSessionToken(session.token)]);
      const sessionId = (rows as Array<{ id: string }>)[0].id;

      const entered = session.client.ok(EnterTenantDocument, { tenantId: tenant.id });
      const heldUp = new Promise<'held up'>((resolve) => setTimeout(() => resolve('held up'), 5_000).unref());
      expect(await Promise.race([entered.then((d) => d.enterTenant.status), heldUp])).toBe('GRANTED');

      await holder.commit();
      const [memberships] = await holder.query('SELECT last_session_id FROM tenant_memberships WHERE tenant_id = ? AND agent_id = ?', [tenant.id, agent.id]);
      expect((memberships as Array<{ last_session_id: string }>)[0].last_session_id).toBe(sessionId);
    } finally {
      await holder.end();
    }
  });
});
