import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrations } from '../../migrations';
import { SingleSignOn1795860000000 } from '../../migrations/1795860000000-SingleSignOn';
import { SetTenantIdentityProviderDocument } from '../../src/client/generated/graphql';
import { databaseKinds } from '../helpers/databases';
import { createTenant } from '../helpers/fixtures';
import { startTestGateway, TestGateway } from '../helpers/gateway';
import { rowCount } from '../helpers/snapshot';

describe.each(databaseKinds)('the SingleSignOn migration on %s', (kind) => {
  let t: TestGateway;
  beforeAll(async () => {
    t = await startTestGateway(kind);
  });
  afterAll(() => t?.close());

  it('goes down and up again keeping every tenant and audit event, which then has no provider and no detail', async () => {
    const tenant = await createTenant(t);
    await tenant.owner.client.ok(SetTenantIdentityProviderDocument, {
      tenantId: tenant.id,
      provider: { issuer: 'https://idp.example.test', clientId: 'gateway', clientSecret: 'secret', emailDomains: ['migration.test'] },
    });
    const [tenants, events] = [await rowCount(t, 'tenants'), await rowCount(t, 'audit_events')];

    const { dataSource } = t.gateway.db;
    for (let i = migrations.indexOf(SingleSignOn1795860000000); i < migrations.length; i++) await dataSource.undoLastMigration({ transaction: 'each' });
    expect([await rowCount(t, 'tenants'), await rowCount(t, 'audit_events')]).toEqual([tenants, events]);
    await dataSource.runMigrations({ transaction: 'each' });
    expect([await rowCount(t, 'tenants'), await rowCount(t, 'audit_events')]).toEqual([tenants, events]);
    for (const table of ['identity_providers', 'identity_provider_domains', 'sso_links', 'sso_starts'] as const) expect(await rowCount(t, table)).toBe(0);
    expect(await t.gateway.db.manager.query('SELECT detail FROM audit_events WHERE detail IS NOT NULL')).toEqual([]);
  });
});
