import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrations } from '../../migrations';
import { StandingSource1795840000000 } from '../../migrations/1795840000000-StandingSource';
import { rawDate } from '../../src/db/raw';
import { databaseKinds } from '../helpers/databases';
import { createTenant } from '../helpers/fixtures';
import { startTestGateway, TestGateway } from '../helpers/gateway';
import { rowCount } from '../helpers/snapshot';
import { enrolledAgent } from '../helpers/two-factor';

describe.each(databaseKinds)('the StandingSource migration on %s', (kind) => {
  let t: TestGateway;
  beforeAll(async () => {
    t = await startTestGateway(kind);
  });
  afterAll(() => t?.close());

  it('goes down and up again keeping every standing, each a CHALLENGE granted when it was passed', async () => {
    const tenant = await createTenant(t, { twoFactor: true });
    const enrolled = await enrolledAgent(t, tenant);
    const standings = async () =>
      (await t.gateway.db.manager.query('SELECT source, method, passed_at, granted_at FROM tenant_standings WHERE agent_id = ?', [enrolled.agent.id])).map(
        (row: Record<string, unknown>) => ({ ...row, passed_at: rawDate(row.passed_at)!.toISOString(), granted_at: rawDate(row.granted_at)!.toISOString() }),
      );
    const [granted] = await standings();
    expect(granted.source).toBe('CHALLENGE');
    const before = await rowCount(t, 'tenant_standings');

    const { dataSource } = t.gateway.db;
    for (let i = migrations.indexOf(StandingSource1795840000000); i < migrations.length; i++) await dataSource.undoLastMigration({ transaction: 'each' });
    expect(await rowCount(t, 'tenant_standings')).toBe(before);
    await dataSource.runMigrations({ transaction: 'each' });
    expect(await rowCount(t, 'tenant_standings')).toBe(before);
    expect(await standings()).toEqual([{ source: 'CHALLENGE', method: 'ENROLMENT', passed_at: granted.passed_at, granted_at: granted.passed_at }]);
  });
});
