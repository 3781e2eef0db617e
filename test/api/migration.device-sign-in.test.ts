import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrations } from '../../migrations';
import { DeviceSignIn1795850000000 } from '../../migrations/1795850000000-DeviceSignIn';
import { BeginDeviceSignInDocument, MySessionsDocument } from '../../src/client/generated/graphql';
import { databaseKinds } from '../helpers/databases';
import { signUp } from '../helpers/fixtures';
import { startTestGateway, TestGateway } from '../helpers/gateway';
import { rowCount } from '../helpers/snapshot';

describe.each(databaseKinds)('the DeviceSignIn migration on %s', (kind) => {
  let t: TestGateway;
  beforeAll(async () => {
    t = await startTestGateway(kind);
  });
  afterAll(() => t?.close());

  it('goes down and up again keeping every session, which then names no client', async () => {
    const agent = await signUp(t, 'agent');
    await t.client.ok(BeginDeviceSignInDocument, { clientName: 'tenant-2fa on build-01' });
    const before = await rowCount(t, 'sessions');

    const { dataSource } = t.gateway.db;
    for (let i = migrations.indexOf(DeviceSignIn1795850000000); i < migrations.length; i++) await dataSource.undoLastMigration({ transaction: 'each' });
    expect(await rowCount(t, 'sessions')).toBe(before);
    await dataSource.runMigrations({ transaction: 'each' });
    expect(await rowCount(t, 'sessions')).toBe(before);
    expect(await rowCount(t, 'device_sign_ins')).toBe(0);
    const { me } = await agent.client.ok(MySessionsDocument, {});
    expect(me!.sessions.map((session) => session.clientName)).toEqual([null]);
  });
});
