import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MySessionsDocument, SignInDocument, TenantsDocument } from '../../src/client/generated/graphql';
import { DEMO_OWNER_EMAIL, DEMO_PASSWORD, seedDemoData } from '../../src/demo/demo-data';
import { databaseKinds } from '../helpers/databases';
import { startTestGateway, TestGateway } from '../helpers/gateway';

/** The demo `npm start` adds to an empty database: what the README promises a newcomer finds there. */
describe.each(databaseKinds)('the demo data on %s', (kind) => {
  let t: TestGateway;
  beforeAll(async () => {
    t = await startTestGateway(kind);
  });
  afterAll(() => t?.close());

  const sessionCount = async () => (await t.gateway.db.manager.query('SELECT COUNT(*) AS n FROM sessions'))[0].n;

  it('makes the demo accounts and tenants, and no session: the first sign-in is the only session an account lists', async () => {
    expect(await seedDemoData(t.gateway.services)).toBe(true);
    expect(Number(await sessionCount())).toBe(0);

    for (const email of [DEMO_OWNER_EMAIL, 'agent@demo.test', 'globex@demo.test']) {
      const { signIn } = await t.client.ok(SignInDocument, { email, password: DEMO_PASSWORD });
      const { me } = await t.client.withToken(signIn.token).ok(MySessionsDocument);
      expect(me!.sessions.map((session) => session.current), email).toEqual([true]);
    }
    const { signIn } = await t.client.ok(SignInDocument, { email: DEMO_OWNER_EMAIL, password: DEMO_PASSWORD });
    const { tenants } = await t.client.withToken(signIn.token).ok(TenantsDocument);
    expect(tenants.map((tenant) => [tenant.name, tenant.twoFactorEnabled]).sort()).toEqual([
      ['Acme Support', true],
      ['Globex', false],
    ]);
  });

  it('adds nothing to a database that has accounts', async () => {
    expect(await seedDemoData(t.gateway.services)).toBe(false);
  });
});
