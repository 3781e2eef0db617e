import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BeginTotpEnrolmentDocument } from '../../src/client/generated/graphql';
import { databaseKinds } from '../helpers/databases';
import { addMember, createTenant, enrol, signUp } from '../helpers/fixtures';
import { startTestGateway, TestGateway } from '../helpers/gateway';
import { rowCount } from '../helpers/snapshot';

describe.each(databaseKinds)('the Passkeys migration on %s', (kind) => {
  let t: TestGateway;
  beforeAll(async () => {
    t = await startTestGateway(kind);
  });
  afterAll(() => t?.close());

  it('goes down and up again keeping every row, and marks every enabled authenticator as TOTP', async () => {
    const tenant = await createTenant(t, { twoFactor: true });
    const [enabled, pending] = [await signUp(t, 'enabled'), await signUp(t, 'pending')];
    for (const agent of [enabled, pending]) await addMember(tenant, agent);
    await enrol(t, enabled, tenant.id);
    await pending.client.ok(BeginTotpEnrolmentDocument, { tenantId: tenant.id, password: pending.password });
    const counts = async () => Promise.all((['authenticators', 'recovery_codes', 'tenant_memberships'] as const).map((table) => rowCount(t, table)));
    const before = await counts();

    const { dataSource } = t.gateway.db;
    const applied = async () => ((await dataSource.query('SELECT name FROM migrations')) as Array<{ name: string }>).map((row) => row.name);
    while ((await applied()).includes('Passkeys1795750000000')) await dataSource.undoLastMigration({ transaction: 'each' });
    expect(await counts()).toEqual(before);
    await dataSource.runMigrations({ transaction: 'each' });
    expect(await counts()).toEqual(before);

    const rows: Array<{ agent_id: string; totp_enabled: unknown }> = await t.gateway.db.manager.query('SELECT agent_id, totp_enabled FROM authenticators WHERE tenant_id = ?', [tenant.id]);
    const totp = (agentId: string) => Number(rows.find((row) => row.agent_id === agentId)!.totp_enabled);
    expect([totp(enabled.id), totp(pending.id)]).toEqual([1, 0]);
    expect(await rowCount(t, 'passkeys')).toBe(0);
  });
});
