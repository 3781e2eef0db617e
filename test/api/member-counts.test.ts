import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AddTenantMemberDocument,
  BeginTotpEnrolmentDocument,
  ConfirmTotpEnrolmentDocument,
  DisableTwoFactorDocument,
  RemovePasskeyDocument,
  RemoveTotpAuthenticatorDocument,
  ResetAgentTwoFactorDocument,
  TenantAgentsDocument,
  UseRecoveryCodeDocument,
} from '../../src/client/generated/graphql';
import { databaseKinds } from '../helpers/databases';
import { addMember, enrol, signUp, TestTenant, wrongCode } from '../helpers/fixtures';
import { startTestGateway, TestGateway } from '../helpers/gateway';
import { addPasskey, PASSKEY_ENV, TEST_ORIGIN } from '../helpers/passkeys';
import { SoftwareAuthenticator } from '../helpers/software-authenticator';
import { totpCode } from '../helpers/totp';
import { challengedSession, twoTenants } from '../helpers/two-factor';

/**
 * The listing's counters (tenant_member_counts) and each membership's two_factor_enabled flag against the rows, after every API change to a
 * membership or to a pair's 2FA state, and the listing's totalCount under each filter.
 */
describe.each(databaseKinds)('tenant member counters on %s', (kind) => {
  let t: TestGateway;
  let a: TestTenant;
  let b: TestTenant;
  beforeAll(async () => {
    t = await startTestGateway(kind, PASSKEY_ENV);
    [a, b] = await twoTenants(t);
  });
  afterAll(() => t?.close());

  type Counts = Array<{ tenant_id: string; role: string; members: number; two_factor_enabled: number }>;
  const normalize = (rows: Array<Record<string, unknown>>): Counts =>
    rows.map((row) => ({ tenant_id: String(row.tenant_id), role: String(row.role), members: Number(row.members), two_factor_enabled: Number(row.two_factor_enabled) }));

  /** Every tenant's counters, and the same numbers counted from the rows. */
  async function expectCountersRight(): Promise<void> {
    const counters = normalize(await t.gateway.db.manager.query('SELECT tenant_id, role, members, two_factor_enabled FROM tenant_member_counts ORDER BY tenant_id, role'));
    const counted = normalize(
      await t.gateway.db.manager.query(
        `SELECT c.tenant_id, c.role,
                (SELECT COUNT(*) FROM tenant_memberships m WHERE m.tenant_id = c.tenant_id AND m.role = c.role) AS members,
                (SELECT COUNT(*) FROM tenant_memberships m JOIN authenticators au ON au.tenant_id = m.tenant_id AND au.agent_id = m.agent_id
                  WHERE m.tenant_id = c.tenant_id AND m.role = c.role AND au.state = 'ENABLED') AS two_factor_enabled
           FROM tenant_member_counts c ORDER BY c.tenant_id, c.role`,
      ),
    );
    expect(counters).toEqual(counted);
    const flags: Array<{ tenant_id: string; agent_id: string; flag: unknown; state: unknown }> = await t.gateway.db.manager.query(
      `SELECT m.tenant_id, m.agent_id, m.two_factor_enabled AS flag, au.state FROM tenant_memberships m
         LEFT JOIN authenticators au ON au.tenant_id = m.tenant_id AND au.agent_id = m.agent_id`,
    );
    expect(flags.filter((row) => Number(row.flag) !== (row.state === 'ENABLED' ? 1 : 0))).toEqual([]); // each membership's flag
    const tenants: Array<{ n: unknown }> = await t.gateway.db.manager.query('SELECT COUNT(*) AS n FROM tenants');
    expect(counters.length).toBe(3 * Number(tenants[0].n)); // one row per role of every tenant
  }

  async function totals(tenant: TestTenant) {
    const totalCount = async (filter: Record<string, unknown> | null) =>
      (await tenant.owner.client.ok(TenantAgentsDocument, { tenantId: tenant.id, first: 1, filter })).tenant!.agents.totalCount;
    return {
      all: await totalCount(null),
      enabled: await totalCount({ twoFactorEnabled: true }),
      notEnabled: await totalCount({ twoFactorEnabled: false }),
      admins: await totalCount({ role: 'ADMIN' }),
      enabledAdmins: await totalCount({ role: 'ADMIN', twoFactorEnabled: true }),
    };
  }

  it('follow members added, TOTP and passkey enrolments, removals, disables and resets, in every tenant', async () => {
    await expectCountersRight();
    const admin = await signUp(t, 'admin');
    const agent = await signUp(t, 'agent');
    const keyed = await signUp(t, 'keyed');
    await addMember(a, admin, 'ADMIN');
    await addMember(a, agent);
    await addMember(a, keyed);
    await addMember(b, agent);
    await a.owner.client.ok(AddTenantMemberDocument, { tenantId: a.id, email: agent.email, role: 'ADMIN' }); // already a member: no change
    await expectCountersRight();
    expect(await totals(a)).toEqual({ all: 4, enabled: 0, notEnabled: 4, admins: 1, enabledAdmins: 0 });

    // TOTP: a pending enrolment and a wrong confirmation change nothing; the confirmation counts.
    const { beginTotpEnrolment } = await admin.client.ok(BeginTotpEnrolmentDocument, { tenantId: a.id, password: admin.password });
    await admin.client.fails(ConfirmTotpEnrolmentDocument, { tenantId: a.id, code: wrongCode(t, beginTotpEnrolment.secret) });
    await expectCountersRight();
    await admin.client.ok(ConfirmTotpEnrolmentDocument, { tenantId: a.id, code: totpCode(beginTotpEnrolment.secret, t.clock.epochMs) });
    t.clock.advance(30_000);
    const owner = await enrol(t, a.owner, a.id);
    const agentInA = await enrol(t, agent, a.id);
    await enrol(t, agent, b.id);
    await expectCountersRight();
    expect(await totals(a)).toEqual({ all: 4, enabled: 3, notEnabled: 1, admins: 1, enabledAdmins: 1 });

    // Passkeys: the first one enables the pair; TOTP beside it and removing either factor leave it enabled.
    const key = await addPasskey(keyed, a.id, new SoftwareAuthenticator(TEST_ORIGIN));
    await expectCountersRight();
    const beside = await keyed.client.ok(BeginTotpEnrolmentDocument, { tenantId: a.id, password: keyed.password });
    await keyed.client.ok(ConfirmTotpEnrolmentDocument, { tenantId: a.id, code: totpCode(beside.beginTotpEnrolment.secret, t.clock.epochMs) });
    t.clock.advance(30_000);
    await keyed.client.ok(RemovePasskeyDocument, { tenantId: a.id, passkeyId: key.passkey.id, password: keyed.password });
    await addPasskey(keyed, a.id, new SoftwareAuthenticator(TEST_ORIGIN), 'Key');
    await keyed.client.ok(RemoveTotpAuthenticatorDocument, { tenantId: a.id, password: keyed.password });
    await expectCountersRight();
    expect(await totals(a)).toMatchObject({ all: 4, enabled: 4, notEnabled: 0 });

    // A recovery code answers a challenge: still enabled.
    const { session, challengeId } = await challengedSession(t, agent, a.secureWorkspaceId);
    await session.client.ok(UseRecoveryCodeDocument, { challengeId, code: agentInA.recoveryCodes[0] });
    await expectCountersRight();

    // Disable, reset (twice: the second finds nothing), and a reset of a pending enrolment.
    await keyed.client.ok(DisableTwoFactorDocument, { tenantId: a.id, password: keyed.password });
    await a.owner.client.ok(ResetAgentTwoFactorDocument, { tenantId: a.id, agentId: agent.id });
    await a.owner.client.ok(ResetAgentTwoFactorDocument, { tenantId: a.id, agentId: agent.id });
    await agent.client.ok(BeginTotpEnrolmentDocument, { tenantId: a.id, password: agent.password });
    await a.owner.client.ok(ResetAgentTwoFactorDocument, { tenantId: a.id, agentId: agent.id });
    await a.owner.client.ok(ResetAgentTwoFactorDocument, { tenantId: a.id, agentId: admin.id });
    await expectCountersRight();
    expect(await totals(a)).toEqual({ all: 4, enabled: 1, notEnabled: 3, admins: 1, enabledAdmins: 0 });
    expect(await totals(b)).toMatchObject({ all: 2, enabled: 1, notEnabled: 1 }); // the other tenant untouched
    expect(owner.recoveryCodes).toHaveLength(8);
  });

  it('count racing enrolments and resets of one tenant once each', async () => {
    const agents = await Promise.all(Array.from({ length: 6 }, (_, i) => signUp(t, `racer${i}`)));
    for (const agent of agents) await addMember(b, agent);
    const begun = await Promise.all(agents.map((agent) => agent.client.ok(BeginTotpEnrolmentDocument, { tenantId: b.id, password: agent.password })));
    await Promise.all(agents.map((agent, i) => agent.client.ok(ConfirmTotpEnrolmentDocument, { tenantId: b.id, code: totpCode(begun[i].beginTotpEnrolment.secret, t.clock.epochMs) })));
    t.clock.advance(30_000);
    await expectCountersRight();
    await enrol(t, b.owner, b.id); // resets weaken 2FA: the owner steps up first
    await Promise.all(agents.flatMap((agent) => [agent, agent].map(() => b.owner.client.ok(ResetAgentTwoFactorDocument, { tenantId: b.id, agentId: agent.id }))));
    await expectCountersRight();
  });
});
