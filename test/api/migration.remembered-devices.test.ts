import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrations } from '../../migrations';
import { RememberedDevices1795840100000 } from '../../migrations/1795840100000-RememberedDevices';
import { SetTenantRememberDeviceDaysDocument, SetTenantSecondFactorLifetimeDocument } from '../../src/client/generated/graphql';
import { databaseKinds } from '../helpers/databases';
import { createTenant } from '../helpers/fixtures';
import { startTestGateway, TestGateway } from '../helpers/gateway';
import { rowCount } from '../helpers/snapshot';

describe.each(databaseKinds)('the RememberedDevices migration on %s', (kind) => {
  let t: TestGateway;
  beforeAll(async () => {
    t = await startTestGateway(kind);
  });
  afterAll(() => t?.close());

  it('goes down and up again keeping every tenant, which then remembers no device and keeps a pass for the session', async () => {
    const tenant = await createTenant(t);
    await tenant.owner.client.ok(SetTenantRememberDeviceDaysDocument, { tenantId: tenant.id, days: 30 });
    await tenant.owner.client.ok(SetTenantSecondFactorLifetimeDocument, { tenantId: tenant.id, seconds: 600 });
    const before = await rowCount(t, 'tenants');

    const { dataSource } = t.gateway.db;
    for (let i = migrations.indexOf(RememberedDevices1795840100000); i < migrations.length; i++) await dataSource.undoLastMigration({ transaction: 'each' });
    expect(await rowCount(t, 'tenants')).toBe(before);
    await dataSource.runMigrations({ transaction: 'each' });
    expect(await rowCount(t, 'tenants')).toBe(before);
    const [row] = await t.gateway.db.manager.query('SELECT remember_device_days, second_factor_lifetime_seconds FROM tenants WHERE id = ?', [tenant.id]);
    expect({ days: Number(row.remember_device_days), lifetime: row.second_factor_lifetime_seconds }).toEqual({ days: 0, lifetime: null });
    expect(await rowCount(t, 'remembered_devices')).toBe(0);
  });
});
