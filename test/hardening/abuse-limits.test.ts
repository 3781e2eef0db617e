// Threat: hostile documents (deep, wide, aliased, batched) that guess codes in bulk or exhaust the gateway.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EnterWorkspaceDocument, VerifyTwoFactorDocument } from '../../src/client/generated/graphql';
import type { GraphQLResponse } from '../helpers/client';
import { databaseKinds } from '../helpers/databases';
import { createTenant, currentCode, TestTenant, wrongCode } from '../helpers/fixtures';
import type { TestGateway } from '../helpers/gateway';
import { databaseSnapshot } from '../helpers/snapshot';
import { challengedSession, EnrolledAgent, enrolledAgent } from '../helpers/two-factor';
import { INTERNALS, startProductionGateway } from './harness';

/** `n` aliased verifyTwoFactor answers to one challenge, the right code at `rightAt`, all wrong otherwise. */
function aliasedAnswers(n: number, challengeId: string, wrong: string, right: string, rightAt: number) {
  const fields = Array.from({ length: n }, (_, i) => `a${i}: verifyTwoFactor(challengeId: $c, code: $${i === rightAt ? 'r' : 'w'}) { status }`);
  return { query: `mutation($c: ID!, $w: String!, $r: String!) { ${fields.join(' ')} }`, variables: { c: challengeId, w: wrong, r: right } };
}

// One tenant, not the caller's list of them: lists without `first` multiply the complexity, and this tests depth.
const nested = (depth: number) => `{ tenant(id: "01890a5d-ac96-774b-bcce-b302099a8057") { ${'workspaces { tenant { '.repeat(depth)}id${' } }'.repeat(depth)} } }`;

/** A refusal before anything runs: a 400 with Apollo's code, a message, no data, nothing internal. */
function expectRefusedWhole(response: GraphQLResponse<unknown>, code: string, message?: RegExp) {
  expect(response.status, JSON.stringify(response)).toBe(400);
  expect(response.data ?? undefined).toBeUndefined();
  expect(response.errors![0].extensions?.code).toBe(code);
  if (message) expect(response.errors![0].message).toMatch(message);
  expect(JSON.stringify(response)).not.toMatch(INTERNALS);
}

describe.each(databaseKinds)('GraphQL abuse limits in production on %s', (kind) => {
  let t: TestGateway;
  let tenant: TestTenant;
  let enrolled: EnrolledAgent;
  beforeAll(async () => {
    t = await startProductionGateway(kind);
    tenant = await createTenant(t, { twoFactor: true });
    enrolled = await enrolledAgent(t, tenant);
  });
  afterAll(() => t?.close());

  it('refuses 200 aliased answers in one document whole: nothing judged, and the right code still works after', async () => {
    const { session, challengeId } = await challengedSession(t, enrolled.agent, tenant.secureWorkspaceId);
    const right = currentCode(t, enrolled.secret);
    const before = await databaseSnapshot(t);
    const response = await session.client.raw(aliasedAnswers(200, challengeId, wrongCode(t, enrolled.secret), right, 137));
    // 200 answers (3000 tokens) meet the token limit while parsing, before the alias limit is even checked.
    expectRefusedWhole(response, 'GRAPHQL_PARSE_FAILED', /2000 tokens/);
    expect(await databaseSnapshot(t)).toBe(before);
    const again = await session.client.ok(EnterWorkspaceDocument, { workspaceId: tenant.secureWorkspaceId });
    expect(again.enterWorkspace.challenge).toMatchObject({ id: challengeId, attemptsRemaining: 5 });
    const { verifyTwoFactor } = await session.client.ok(VerifyTwoFactorDocument, { challengeId, code: right });
    expect(verifyTwoFactor.status).toBe('GRANTED');
    t.clock.advance(30_000);
  });

  it('refuses 31 aliased answers (one over the alias limit) whole, naming the limit', async () => {
    const { session, challengeId } = await challengedSession(t, enrolled.agent, tenant.secureWorkspaceId);
    const before = await databaseSnapshot(t);
    const response = await session.client.raw(aliasedAnswers(31, challengeId, wrongCode(t, enrolled.secret), currentCode(t, enrolled.secret), 30));
    expectRefusedWhole(response, 'GRAPHQL_VALIDATION_FAILED', /Aliases limit of 30 exceeded/);
    expect(await databaseSnapshot(t)).toBe(before);
  });

  it('runs 30 aliased answers (at the limit) in turn: the first wrong one ends the document, the right one last never runs', async () => {
    const { session, challengeId } = await challengedSession(t, enrolled.agent, tenant.secureWorkspaceId);
    const response = await session.client.raw(aliasedAnswers(30, challengeId, wrongCode(t, enrolled.secret), currentCode(t, enrolled.secret), 29));
    // verifyTwoFactor answers a non-null Access, so its error nulls the whole result and the serial execution stops.
    expect(response.status).toBe(200);
    expect(response.data).toBeNull();
    expect(response.errors!.map((e) => [e.extensions?.code, e.extensions?.attemptsRemaining])).toEqual([['INVALID_TWO_FACTOR_CODE', 4]]);
    const again = await session.client.ok(EnterWorkspaceDocument, { workspaceId: tenant.secureWorkspaceId });
    expect(again.enterWorkspace).toMatchObject({ status: 'TWO_FACTOR_CHALLENGE_REQUIRED', challenge: { id: challengeId, attemptsRemaining: 4 } });
  });

  it('refuses a document nested deeper than 10', async () => {
    expect((await t.client.raw({ query: nested(3) })).status).toBe(200); // depth 8 is fine
    expectRefusedWhole(await t.client.raw({ query: nested(5) }), 'GRAPHQL_VALIDATION_FAILED', /depth limit of 10/i);
  });

  it('refuses a document of more than 2000 tokens as a parse failure, not a 500', async () => {
    expectRefusedWhole(await t.client.raw({ query: `{ ${'me { id } '.repeat(600)}}` }), 'GRAPHQL_PARSE_FAILED', /2000 tokens/);
  });

  it('refuses more than 20 directives', async () => {
    const query = `{ ${'__typename @skip(if: false) '.repeat(21)}}`;
    expectRefusedWhole(await t.client.raw({ query }), 'GRAPHQL_VALIDATION_FAILED', /Directives limit of 20 exceeded/);
  });

  it('refuses a document whose complexity is over 10000 (fragments spread many times)', async () => {
    const spreads = '...W '.repeat(150);
    const query = `{ tenants { workspaces { ${spreads}} } } fragment W on Workspace { id name twoFactorRequired tenant { id name issuer } }`;
    expectRefusedWhole(await t.client.raw({ query }), 'GRAPHQL_VALIDATION_FAILED', /Query complexity limit of 10000 exceeded, found \d+\./);
  });

  it('refuses a batch of 50 operations whole: nothing judged', async () => {
    const { session, challengeId } = await challengedSession(t, enrolled.agent, tenant.secureWorkspaceId);
    const answer = { query: 'mutation($c: ID!, $k: String!) { verifyTwoFactor(challengeId: $c, code: $k) { status } }', variables: { c: challengeId, k: wrongCode(t, enrolled.secret) } };
    const before = await databaseSnapshot(t);
    const response = await fetch(`${t.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${session.token}` },
      body: JSON.stringify(Array(50).fill(answer)),
    });
    expect(response.status).toBe(400);
    expect(await response.text()).toMatch(/batching/i);
    expect(await databaseSnapshot(t)).toBe(before);
  });

  it('hides field suggestions in production', async () => {
    const response = await t.client.raw({ query: '{ mee { id } tenants { nme } }' });
    expect(response.status).toBe(400);
    expect(response.errors!.length).toBe(2);
    for (const error of response.errors!) {
      expect(error.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
      expect(error.message).not.toMatch(/Did you mean|"me"|"name"/);
    }
  });

  it('refuses introspection in production', async () => {
    for (const query of ['{ __schema { types { name } } }', '{ __type(name: "Mutation") { fields { name } } }']) {
      const response = await t.client.raw({ query });
      expectRefusedWhole(response, 'GRAPHQL_VALIDATION_FAILED');
      expect(response.errors![0].extensions?.validationErrorCode).toBe('INTROSPECTION_DISABLED');
      // The gateway's switch, not Apollo's constructor option.
      expect(response.errors![0].message).toContain('GRAPHQL_INTROSPECTION=true');
      expect(response.errors![0].message).not.toContain('ApolloServer');
    }
  });
});

describe('introspection turned on in production', () => {
  it('answers the schema when GRAPHQL_INTROSPECTION=true', async () => {
    const t = await startProductionGateway('sqlite', { GRAPHQL_INTROSPECTION: 'true' });
    try {
      const response = await t.client.raw<{ __type: { fields: Array<{ name: string }> } }>({ query: '{ __type(name: "Mutation") { fields { name } } }' });
      expect(response.status).toBe(200);
      expect(response.data!.__type.fields.map((f) => f.name)).toContain('verifyTwoFactor');
    } finally {
      await t.close();
    }
  });
});
