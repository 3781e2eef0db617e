import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  SignUpDocument,
  TenantAgentDocument,
  TenantAgentFilter,
  TenantAgentsDocument,
  TenantAgentsQuery,
} from '../../src/client/generated/graphql';
import { GraphQLClient } from '../helpers/client';
import { seedMembers } from '../helpers/bulk-members';
import { databaseKinds } from '../helpers/databases';
import { addMember, createTenant, enrol, PASSWORD, signUp, TestAgent, TestTenant, uniqueEmail } from '../helpers/fixtures';
import { startTestGateway, TestGateway } from '../helpers/gateway';

type Connection = NonNullable<TenantAgentsQuery['tenant']>['agents'];

describe.each(databaseKinds)('admin look-ups on %s', (kind) => {
  let t: TestGateway;
  let tenant: TestTenant;
  let admin: TestAgent;
  let zoe: TestAgent;
  let percent: TestAgent;
  let plain: TestAgent;

  /** An agent with a chosen name and email (the fixtures name agents after their label). */
  const signUpAs = async (name: string, emailLocal: string): Promise<TestAgent> => {
    const email = uniqueEmail(emailLocal);
    const { signUp: session } = await t.client.ok(SignUpDocument, { email, password: PASSWORD, name });
    return { id: session.agent.id, email, password: PASSWORD, token: session.token, client: new GraphQLClient(t.url, session.token) };
  };
  const search = async (term: string, filter: TenantAgentFilter = {}, first = 50): Promise<Connection> =>
    (await tenant.owner.client.ok(TenantAgentsDocument, { tenantId: tenant.id, first, filter: { ...filter, search: term } })).tenant!.agents;
  const ids = (connection: Connection) => connection.edges.map((edge) => edge.node.agent.id);

  beforeAll(async () => {
    t = await startTestGateway(kind);
    tenant = await createTenant(t, { twoFactor: true });
    admin = await signUpAs('Ada Admin', 'ada');
    zoe = await signUpAs('Zoë Ångström', 'zoe');
    percent = await signUpAs('Per_Cent 100%', 'pc');
    plain = await signUpAs('Bob Plain', 'bob');
    await addMember(tenant, admin, 'ADMIN');
    for (const agent of [zoe, percent, plain]) await addMember(tenant, agent);
    await enrol(t, zoe, tenant.id);
  });
  afterAll(() => t?.close());

  it('finds members by a case-insensitive substring of the email or the name, beyond ASCII', async () => {
    const cases: Array<[string, TestAgent[]]> = [
      ['ÅNGSTRÖM', [zoe]],
      ['zoË', [zoe]],
      ['ZOE-', [zoe]], // the email's local part
      ['ADA', [admin]],
      ['plain', [plain]],
      ['@EXAMPLE.TEST', [tenant.owner, admin, zoe, percent, plain]],
      ['', [tenant.owner, admin, zoe, percent, plain]],
      ['nobody', []],
    ];
    for (const [term, expected] of cases) {
      const connection = await search(term);
      expect({ term, ids: ids(connection), totalCount: connection.totalCount }).toEqual({ term, ids: expected.map((a) => a.id), totalCount: expected.length });
    }
  });

  it("takes LIKE's wildcards in the search literally", async () => {
    expect(ids(await search('%'))).toEqual([percent.id]);
    expect(ids(await search('r_c'))).toEqual([percent.id]);
    expect(ids(await search('_'))).toEqual([percent.id]);
    expect(ids(await search('!'))).toEqual([]);
    expect(ids(await search('\\'))).toEqual([]);
  });

  it('combines the search with the other filters, totalCount and paging included', async () => {
    const enrolled = await search('example', { twoFactorEnabled: true });
    expect([ids(enrolled), enrolled.totalCount]).toEqual([[zoe.id], 1]);
    const notEnrolled = await search('a', { twoFactorEnabled: false, role: 'AGENT' });
    expect([ids(notEnrolled), notEnrolled.totalCount]).toEqual([[percent.id, plain.id], 2]);
    const firstPage = await search('example', {}, 2);
    expect([ids(firstPage), firstPage.totalCount, firstPage.pageInfo.hasNextPage]).toEqual([[tenant.owner.id, admin.id], 5, true]);
    const secondPage = (await tenant.owner.client.ok(TenantAgentsDocument, { tenantId: tenant.id, first: 2, after: firstPage.pageInfo.endCursor, filter: { search: 'example' } })).tenant!.agents;
    expect(ids(secondPage)).toEqual([zoe.id, percent.id]);
  });

  it('refuses a search longer than an email or holding control characters, as bad input', async () => {
    for (const term of ['x'.repeat(255), 'a\u0000b', 'line\nbreak']) {
      const error = await tenant.owner.client.fails(TenantAgentsDocument, { tenantId: tenant.id, filter: { search: term } });
      expect(error.code).toBe('BAD_USER_INPUT');
    }
    expect((await search('x'.repeat(254))).totalCount).toBe(0);
  });

  it('keeps the statement count of a searched page constant', async () => {
    const big = await createTenant(t);
    await seedMembers(t, big.id, 150, { hasSignedIn: true, isEnrolled: (index) => index % 3 === 0 });
    const statementsFor = async (first: number, filter: TenantAgentFilter) => {
      t.statements.reset();
      const connection = (await big.owner.client.ok(TenantAgentsDocument, { tenantId: big.id, first, filter })).tenant!.agents;
      expect(connection.edges.length).toBe(Math.min(first, connection.totalCount));
      return t.statements.count;
    };
    // The session, the gate's facts, the page and the count of the matches: as many as an unfiltered page.
    const small = await statementsFor(10, { search: 'seeded' });
    expect(small).toBe(await statementsFor(10, {}));
    expect(await statementsFor(100, { search: 'seeded' })).toBe(small);
    expect(await statementsFor(10, { search: 'se' })).toBe(small); // too short for a gram
    expect(await statementsFor(10, { search: 'SEEDED 1', twoFactorEnabled: true, role: 'AGENT' })).toBe(small);
    expect(small).toBeLessThanOrEqual(4);
    // A first page that holds every match counts them itself: one pass over the members fewer.
    expect(await statementsFor(100, { search: 'SEEDED 1', twoFactorEnabled: true, role: 'AGENT' })).toBe(small - 1);
  });

  it('counts the matches right whether or not the first page holds them all', async () => {
    const big = await createTenant(t);
    await seedMembers(t, big.id, 30, { isEnrolled: (index) => index % 2 === 0 });
    const count = async (first: number, after: string | null, filter: TenantAgentFilter) =>
      (await big.owner.client.ok(TenantAgentsDocument, { tenantId: big.id, first, after, filter })).tenant!.agents;
    for (const filter of [{ search: 'seeded 1' }, { search: 'SEEDED', twoFactorEnabled: true }, { search: 'seeded 2', twoFactorEnabled: false }]) {
      const all = await count(100, null, filter);
      const firstPage = await count(3, null, filter);
      const secondPage = await count(3, firstPage.pageInfo.endCursor, filter);
      expect([firstPage.totalCount, secondPage.totalCount]).toEqual([all.totalCount, all.totalCount]);
      expect(all.totalCount).toBe(all.edges.length);
    }
    expect((await count(100, null, { search: 'seeded 1' })).totalCount).toBe(11); // Seeded 1, 10–19
  });

  it('answers one member with its status and last sign-in, to an admin', async () => {
    for (const viewer of [tenant.owner, admin]) {
      const { tenant: found } = await viewer.client.ok(TenantAgentDocument, { tenantId: tenant.id, agentId: zoe.id });
      expect(found!.agent).toMatchObject({ role: 'AGENT', agent: { id: zoe.id, email: zoe.email, name: 'Zoë Ångström' } });
      expect(found!.agent!.twoFactor).toMatchObject({ state: 'ENABLED', enabled: true, methods: ['TOTP', 'RECOVERY_CODE'], recoveryCodesRemaining: 8 });
      expect(found!.agent!.lastSignIn).toMatchObject({ usedTwoFactor: true });
    }
  });

  it('answers the agent itself, and refuses another agent its neighbours', async () => {
    const { tenant: own } = await plain.client.ok(TenantAgentDocument, { tenantId: tenant.id, agentId: plain.id });
    expect(own!.agent).toMatchObject({ role: 'AGENT', agent: { id: plain.id }, twoFactor: { state: 'NOT_CONFIGURED' } });
    expect((await plain.client.fails(TenantAgentDocument, { tenantId: tenant.id, agentId: zoe.id })).code).toBe('FORBIDDEN');
  });

  it('answers null for an agent who is not a member, and NOT_FOUND to a caller who is not one', async () => {
    const outsider = await signUp(t, 'outsider');
    const other = await createTenant(t);
    for (const agentId of [outsider.id, other.owner.id, randomUUID()]) {
      const { tenant: found } = await tenant.owner.client.ok(TenantAgentDocument, { tenantId: tenant.id, agentId });
      expect(found!.agent).toBeNull();
    }
    expect((await outsider.client.fails(TenantAgentDocument, { tenantId: tenant.id, agentId: outsider.id })).code).toBe('NOT_FOUND');
    expect((await other.owner.client.fails(TenantAgentDocument, { tenantId: tenant.id, agentId: zoe.id })).code).toBe('NOT_FOUND');
  });
});
