import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VerifyTwoFactorDocument } from '../../src/client/generated/graphql';
import { migrations } from '../../migrations';
import { ConsecutiveLocks1795800000000 } from '../../migrations/1795800000000-ConsecutiveLocks';
import { databaseKinds } from '../helpers/databases';
import { createTenant, wrongCode } from '../helpers/fixtures';
import { startTestGateway, TestGateway } from '../helpers/gateway';
import { rowCount } from '../helpers/snapshot';
import { challengedSession, enrolledAgent, openChallenge } from '../helpers/two-factor';

describe.each(databaseKinds)('the ConsecutiveLocks migration on %s', (kind) => {
  let t: TestGateway;
  beforeAll(async () => {
    t = await startTestGateway(kind);
  });
  afterAll(() => t?.close());

  it('goes down and up again keeping every authenticator, its lock included, with its locks in a row back at 0', async () => {
    const tenant = await createTenant(t, { twoFactor: true });
    const enrolled = await enrolledAgent(t, tenant);
    const { session, challengeId } = await challengedSession(t, enrolled.agent, tenant.secureWorkspaceId);
    // 10 wrong codes over two challenges: the pair's first lock.
    const wrongFive = async (id: string) => {
      for (let i = 0; i < 5; i++) await session.client.fails(VerifyTwoFactorDocument, { challengeId: id, code: wrongCode(t, enrolled.secret) });
    };
    await wrongFive(challengeId);
    await wrongFive(await openChallenge(session, tenant.secureWorkspaceId));
    const pair = async () => (await t.gateway.db.manager.query('SELECT locked_until, consecutive_locks FROM authenticators WHERE agent_id = ?', [enrolled.agent.id]))[0];
    const locked = await pair();
    expect(Number(locked.consecutive_locks)).toBe(1);
    const before = await rowCount(t, 'authenticators');

    const { dataSource } = t.gateway.db;
    for (let i = migrations.indexOf(ConsecutiveLocks1795800000000); i < migrations.length; i++) await dataSource.undoLastMigration({ transaction: 'each' });
    expect(await rowCount(t, 'authenticators')).toBe(before);
    await dataSource.runMigrations({ transaction: 'each' });
    expect(await rowCount(t, 'authenticators')).toBe(before);
    expect(await pair()).toEqual({ locked_until: locked.locked_until, consecutive_locks: 0 });
  });
});
