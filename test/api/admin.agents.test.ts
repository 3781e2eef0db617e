import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AddTenantMemberDocument,
  BeginTotpEnrolmentDocument,
  EnterTenantDocument,
  RevokeAgentSessionsDocument,
  TenantAgentFilter,
  TenantAgentIdsDocument,
  TenantAgentIdsQuery,
  TenantAgentsDocument,
  TenantAgentsQuery,
  UseRecoveryCodeDocument,
} from '../../src/client/generated/graphql';
import { passChallenge } from '../helpers/access';
import { seedMembers } from '../helpers/bulk-members';
import { databaseKinds } from '../helpers/databases';
import { addMember, createTenant, enrol, signUp, TestAgent } from '../helpers/fixtures';
import { startTestGateway, TestGateway } from '../helpers/gateway';
import { signInAgain } from '../helpers/two-factor';

type Connection = NonNullable<TenantAgentsQuery['tenant']>['agents'];

describe.each(databaseKinds)('the tenant agent listing on %s', (kind) => {
  let t: TestGateway;
  beforeAll(async () => {
    t = await startTestGateway(kind);
  });
  afterAll(() => t?.close());

  const list = async (viewer: TestAgent, tenantId: string, variables: { first?: number; after?: string | null; filter?: TenantAgentFilter } = {}): Promise<Connection> =>
    (await viewer.client.ok(TenantAgentsDocument, { tenantId, ...variables })).tenant!.agents;
  const ids = (connection: Connection) => connection.edges.map((edge) => edge.node.agent.id);
  const member = (connection: Connection, agentId: string) => connection.edges.find((edge) => edge.node.agent.id === agentId)!.node;

  it('filters by twoFactorEnabled and role, with totalCount counting the filtered members', async () => {
    const tenant = await createTenant(t, { twoFactor: true });
    const { owner } = tenant;
    await enrol(t, owner, tenant.id);
    const [admin, enrolled, plain, pending] = [await signUp(t, 'admin'), await signUp(t, 'enrolled'), await signUp(t, 'plain'), await signUp(t, 'pending')];
    await addMember(tenant, admin, 'ADMIN');
    for (const agent of [enrolled, plain, pending]) await addMember(tenant, agent);
    await enrol(t, admin, tenant.id);
    await enrol(t, enrolled, tenant.id);
    await pending.client.ok(BeginTotpEnrolmentDocument, { tenantId: tenant.id, password: pending.password });

    const cases: Array<[TenantAgentFilter | undefined, TestAgent[]]> = [
      [undefined, [owner, admin, enrolled, plain, pending]],
      [{ twoFactorEnabled: true }, [owner, admin, enrolled]],
      [{ twoFactorEnabled: false }, [plain, pending]],
      [{ role: 'AGENT' }, [enrolled, plain, pending]],
      [{ role: 'ADMIN' }, [admin]],
      [{ role: 'OWNER' }, [owner]],
      [{ role: 'AGENT', twoFactorEnabled: true }, [enrolled]],
      [{ role: 'ADMIN', twoFactorEnabled: false }, []],
    ];
    for (const [filter, expected] of cases) {
      const connection = await list(owner, tenant.id, { filter });
      expect({ filter, ids: ids(connection), totalCount: connection.totalCount }).toEqual({ filter, ids: expected.map((a) => a.id), totalCount: expected.length });
    }

    const firstPage = await list(owner, tenant.id, { first: 2, filter: { twoFactorEnabled: true } });
    expect([ids(firstPage), firstPage.totalCount, firstPage.pageInfo.hasNextPage]).toEqual([[owner.id, admin.id], 3, true]);
    const secondPage = await list(owner, tenant.id, { first: 2, after: firstPage.pageInfo.endCursor, filter: { twoFactorEnabled: true } });
    expect([ids(secondPage), secondPage.totalCount, secondPage.pageInfo.hasNextPage]).toEqual([[enrolled.id], 3, false]);
  });

  it("shows each member's own 2FA status in this tenant", async () => {
    const [home, other] = [await createTenant(t, { twoFactor: true }), await createTenant(t, { twoFactor: true })];
    const [enrolled, pending] = [await signUp(t, 'enrolled'), await signUp(t, 'pending')];
    for (const agent of [enrolled, pending]) await addMember(home, agent);
    await addMember(other, enrolled);
    const { recoveryCodes } = await enrol(t, enrolled, home.id);
    await pending.client.ok(BeginTotpEnrolmentDocument, { tenantId: home.id, password: pending.password });
    const session = await signInAgain(t, enrolled);
    const { enterTenant } = await session.client.ok(EnterTenantDocument, { tenantId: home.id });
    await session.client.ok(UseRecoveryCodeDocument, { challengeId: enterTenant.challenge!.id, code: recoveryCodes[0] });

    const listed = await list(home.owner, home.id);
    expect(member(listed, enrolled.id).twoFactor).toMatchObject({ state: 'ENABLED', enabled: true, methods: ['TOTP', 'RECOVERY_CODE'], recoveryCodesRemaining: 7 });
    expect(member(listed, enrolled.id).twoFactor.confirmedAt).not.toBeNull();
    expect(member(listed, pending.id).twoFactor).toEqual({ state: 'PENDING_CONFIRMATION', enabled: false, methods: [], recoveryCodesRemaining: 0, confirmedAt: null, totpEnabled: false, passkeys: [] });
    expect(member(listed, home.owner.id).twoFactor).toEqual({ state: 'NOT_CONFIGURED', enabled: false, methods: [], recoveryCodesRemaining: 0, confirmedAt: null, totpEnabled: false, passkeys: [] });
    expect(member(await list(other.owner, other.id), enrolled.id).twoFactor.state).toBe('NOT_CONFIGURED');
  });

  it('pages oldest member first with no duplicates or gaps while agents join between pages', async () => {
    const tenant = await createTenant(t);
    const expected = [tenant.owner.id, ...(await seedMembers(t, tenant.id, 23))];
    const join = async () => {
      const joiner = await signUp(t, 'joiner');
      await tenant.owner.client.ok(AddTenantMemberDocument, { tenantId: tenant.id, email: joiner.email, role: 'AGENT' });
      expected.push(joiner.id);
    };

    const seen: string[] = [];
    let after: string | null = null;
    for (let page = 0; ; page++) {
      const connection = await list(tenant.owner, tenant.id, { first: 10, after });
      expect(connection.totalCount).toBe(expected.length);
      expect(connection.pageInfo.endCursor).toBe(connection.edges.at(-1)?.cursor ?? null);
      seen.push(...ids(connection));
      if (!connection.pageInfo.hasNextPage) break;
      after = connection.pageInfo.endCursor;
      if (page < 2) await join(); // newest members last: they show up on a later page
    }
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen).toEqual(expected);
  });

  it("tells for each member's latest sign-in that entered the tenant whether it passed this tenant's second factor", async () => {
    const [home, other] = [await createTenant(t, { twoFactor: true }), await createTenant(t, { twoFactor: true })];
    const signedUpAt = t.clock.epochMs;
    const agent = await signUp(t, 'agent');
    await addMember(home, agent);
    await addMember(other, agent);
    const [neverSignedIn] = await seedMembers(t, home.id, 1);
    const lastSignIn = async (tenant = home) => member(await list(tenant.owner, tenant.id), agent.id).lastSignIn;

    expect(await lastSignIn()).toBeNull(); // signed up, but entered no tenant yet
    expect(member(await list(home.owner, home.id), neverSignedIn).lastSignIn).toBeNull();
    const { secret } = await enrol(t, agent, home.id); // confirming enrolment passes the tenant's second factor
    expect(await lastSignIn()).toEqual({ at: new Date(signedUpAt).toISOString(), usedTwoFactor: true });
    expect(await lastSignIn(other)).toBeNull();

    t.clock.advance(60_000);
    const signedInAt = t.clock.epochMs;
    const session = await signInAgain(t, agent);
    expect(await lastSignIn()).toEqual({ at: new Date(signedUpAt).toISOString(), usedTwoFactor: true }); // not here yet
    await passChallenge(t, session, secret, { tenantId: home.id });
    expect(await lastSignIn()).toEqual({ at: new Date(signedInAt).toISOString(), usedTwoFactor: true });
    expect(await lastSignIn(other)).toBeNull();
    await session.client.ok(EnterTenantDocument, { tenantId: other.id }); // other asks for setup: an answered visit
    expect(await lastSignIn(other)).toEqual({ at: new Date(signedInAt).toISOString(), usedTwoFactor: false });

    await home.owner.client.ok(RevokeAgentSessionsDocument, { tenantId: home.id, agentId: agent.id });
    expect(await lastSignIn()).toMatchObject({ usedTwoFactor: true }); // a record of the sign-in, not of standing now
  });

  it('costs the same few SQL statements for a page of 10 as for a page of 100', async () => {
    const tenant = await createTenant(t, { twoFactor: true });
    await seedMembers(t, tenant.id, 150, { hasSignedIn: true, isEnrolled: (index) => index % 3 === 0 });
    const statementsFor = async (first: number, filter?: TenantAgentFilter) => {
      t.statements.reset();
      const connection = await list(tenant.owner, tenant.id, { first, filter });
      expect(connection.edges.length).toBe(Math.min(first, connection.totalCount));
      return t.statements.count;
    };
    const small = await statementsFor(10);
    const smallStatements = t.statements.statements.join('\n');
    expect(await statementsFor(100), `page of 10 ran:\n${smallStatements}\npage of 100 ran:\n${t.statements.statements.join('\n')}`).toBe(small);
    expect(await statementsFor(100, { twoFactorEnabled: true })).toBe(await statementsFor(10, { twoFactorEnabled: true }));
    // The session, the gate's facts, the page (with everything its fields show) and the count.
    expect(small, smallStatements).toBeLessThanOrEqual(4);
  });

  it(
    'lists the first, a middle and the last page of a 10,000-member tenant in order',
    async () => {
      const tenant = await createTenant(t);
      const expected = [tenant.owner.id, ...(await seedMembers(t, tenant.id, 9_999))];
      const pages: string[][] = [];
      let after: string | null = null;
      for (;;) {
        const page: TenantAgentIdsQuery = await tenant.owner.client.ok(TenantAgentIdsDocument, { tenantId: tenant.id, first: 100, after });
        const { agents } = page.tenant!;
        expect(agents.totalCount).toBe(10_000);
        pages.push(agents.edges.map((edge) => edge.node.agent.id));
        expect(agents.pageInfo.hasNextPage).toBe(pages.length < 100);
        if (!agents.pageInfo.hasNextPage) break;
        after = agents.pageInfo.endCursor;
      }
      expect(pages[0]).toEqual(expected.slice(0, 100));
      expect(pages[49]).toEqual(expected.slice(4_900, 5_000));
      expect(pages[99]).toEqual(expected.slice(9_900));
      expect(pages.flat()).toEqual(expected);
    },
    180_000,
  );
});
