import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseKinds } from '../helpers/databases';
import { addMember, createTenant, enrol, signUp } from '../helpers/fixtures';
import { startTestGateway, TestGateway } from '../helpers/gateway';
import { rowCount } from '../helpers/snapshot';
import { migrations } from '../../migrations';
import { SessionDetails1795710000000 } from '../../migrations/1795710000000-SessionDetails';

describe.each(databaseKinds)('the SessionDetails migration on %s', (kind) => {
  let t: TestGateway;
  beforeAll(async () => {
    t = await startTestGateway(kind);
  });
  afterAll(() => t?.close());

  it("goes down and up again keeping every row, and starts lastSignIn from the sessions that passed the tenant's second factor", async () => {
    const tenant = await createTenant(t, { twoFactor: true });
    const agent = await signUp(t, 'agent');
    await addMember(tenant, agent);
    await enrol(t, agent, tenant.id); // the sign-up session passes the tenant's second factor
    const [sessionRow] = await t.gateway.db.manager.query('SELECT id, created_at FROM sessions WHERE agent_id = ?', [agent.id]);
    const counts = async () => Promise.all((['agents', 'sessions', 'tenant_memberships', 'tenant_standings'] as const).map((table) => rowCount(t, table)));
    const before = await counts();

    const { dataSource } = t.gateway.db;
    // Back to before SessionDetails: every later migration goes down first, keeping rows too.
    for (let i = migrations.indexOf(SessionDetails1795710000000); i < migrations.length; i++) await dataSource.undoLastMigration({ transaction: 'each' });
    expect(await counts()).toEqual(before);
    await dataSource.runMigrations({ transaction: 'each' });
    expect(await counts()).toEqual(before);

    const memberships: Array<{ agent_id: string; last_session_id: string | null; last_session_at: unknown }> = await t.gateway.db.manager.query(
      'SELECT agent_id, last_session_id, last_session_at FROM tenant_memberships WHERE tenant_id = ?',
      [tenant.id],
    );
    const agentsRow = memberships.find((m) => m.agent_id === agent.id)!;
    expect(agentsRow.last_session_id).toBe(sessionRow.id);
    expect(String(agentsRow.last_session_at)).toBe(String(sessionRow.created_at));
    // The owner never passed the challenge (2FA was turned on after it created the tenant): nothing to start from.
    expect(memberships.find((m) => m.agent_id === tenant.owner.id)!.last_session_id).toBeNull();
  });
});
