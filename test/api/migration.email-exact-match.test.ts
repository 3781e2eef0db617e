import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SignInDocument, TenantAgentsDocument } from '../../src/client/generated/graphql';
import { insertMemberSearchGrams } from '../../src/admin/agent-search';
import { sqlExecute } from '../../src/db/database';
import { newId } from '../../src/db/ids';
import { migrations } from '../../migrations';
import { EmailExactMatch1795810000000 } from '../../migrations/1795810000000-EmailExactMatch';
import { databaseKinds } from '../helpers/databases';
import { addMember, createTenant, PASSWORD, signUp } from '../helpers/fixtures';
import { startTestGateway, TestGateway } from '../helpers/gateway';
import { rowCount } from '../helpers/snapshot';

describe.each(databaseKinds)('the EmailExactMatch migration on %s', (kind) => {
  let t: TestGateway;
  beforeAll(async () => {
    t = await startTestGateway(kind);
  });
  afterAll(() => t?.close());

  it('keeps every row, gives addresses stored before NFKC their normalised spelling (the first one keeps a contested one), and then compares exactly', async () => {
    const tenant = await createTenant(t);
    const ann = await signUp(t, 'ann');
    await addMember(tenant, ann);
    const { dataSource } = t.gateway.db;
    for (let i = migrations.indexOf(EmailExactMatch1795810000000); i < migrations.length; i++) await dataSource.undoLastMigration({ transaction: 'each' });

    // Spellings the gateway stored before it applied NFKC: trimmed and lower-cased only.
    const { manager } = t.gateway.db;
    const passwordHash = (await manager.query('SELECT password_hash FROM agents WHERE id = ?', [ann.id]))[0].password_hash;
    const suffix = ann.email.slice('ann'.length);
    const stored = async (email: string, minutesAgo: number) => {
      const id = newId();
      // The columns of that time (the entity has gained some since): a plain INSERT.
      await sqlExecute(manager, 'INSERT INTO agents (id, email, name, password_hash, created_at, last_session_id) VALUES (?, ?, ?, ?, ?, NULL)', [
        id,
        email,
        'Old',
        passwordHash,
        new Date(t.clock.epochMs - minutesAgo * 60_000),
      ]);
      return id;
    };
    // A fullwidth address of a member, with its search copy as it was made then.
    await manager.query('UPDATE agents SET email = ? WHERE id = ?', [`ａｎｎ${suffix}`, ann.id]);
    const [membership] = await manager.query('SELECT id, tenant_id AS tenantId FROM tenant_memberships WHERE agent_id = ?', [ann.id]);
    const oldCopy = `ａｎｎ${suffix}\nann`;
    await manager.query('UPDATE tenant_memberships SET search_text = ? WHERE id = ?', [oldCopy, membership.id]);
    await manager.query('DELETE FROM member_search_grams WHERE membership_id = ?', [membership.id]);
    await insertMemberSearchGrams(manager, [{ ...membership, searchText: oldCopy }]);
    // Look-alike duplicates could exist on SQLite only (MariaDB's unicode_ci called them one value).
    const lookalikes = kind === 'sqlite';
    const ligature = await stored(`\uFB01le${suffix}`, 10); // "ﬁle…"
    const plainTwin = lookalikes ? await stored(`file${suffix}`, 5) : null;
    const contested = lookalikes ? [await stored(`ｂｏｂ${suffix}`, 30), await stored(`ｂoｂ${suffix}`, 20)] : []; // both normalise to "bob…"
    const agentsBefore = await rowCount(t, 'agents');

    await dataSource.runMigrations({ transaction: 'each' });
    expect(await rowCount(t, 'agents')).toBe(agentsBefore);
    const emailOf = async (id: string) => (await manager.query('SELECT email FROM agents WHERE id = ?', [id]))[0].email;
    expect(await emailOf(ann.id)).toBe(ann.email);
    // The row already spelt "file…" keeps it; without one, the ligature row takes it.
    expect(await emailOf(ligature)).toBe(plainTwin ? `\uFB01le${suffix}` : `file${suffix}`);
    if (plainTwin) expect(await emailOf(plainTwin)).toBe(`file${suffix}`);
    // The older of two contenders takes the address; the younger keeps what it had.
    if (lookalikes) expect([await emailOf(contested[0]), await emailOf(contested[1])]).toEqual([`bob${suffix}`, `ｂoｂ${suffix}`]);

    // The member signs in with the letters it types, and the admin search finds it by them.
    expect((await t.client.ok(SignInDocument, { email: ann.email, password: PASSWORD })).signIn.agent.id).toBe(ann.id);
    const { tenant: found } = await tenant.owner.client.ok(TenantAgentsDocument, { tenantId: tenant.id, filter: { search: `ann${suffix.slice(0, 8)}` } });
    expect(found?.agents.edges.map((edge) => edge.node.agent.id)).toEqual([ann.id]);

    // Exact comparison: an accent is another address (unicode_ci called them one).
    const [row] = await manager.query('SELECT COUNT(*) AS n FROM agents WHERE email = ?', [ann.email.replace('ann', 'ánn')]);
    expect(Number(row.n)).toBe(0);
  });
});
