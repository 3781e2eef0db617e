// Threat: the password re-check of sensitive mutations used as an unlimited oracle for guessing the password.
import { print } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BeginTotpEnrolmentDocument, DisableTwoFactorDocument, RegenerateRecoveryCodesDocument } from '../../src/client/generated/graphql';
import { buildGatewaySchema } from '../../src/schema';
import type { GraphQLResponse } from '../helpers/client';
import { databaseKinds } from '../helpers/databases';
import { addMember, createTenant, enrol, signUp, TestAgent, TestTenant } from '../helpers/fixtures';
import type { TestGateway } from '../helpers/gateway';
import { databaseSnapshot } from '../helpers/snapshot';
import { auditActions } from '../helpers/two-factor';
import { startProductionGateway } from './harness';

const codeOf = (response: GraphQLResponse<unknown>) => response.errors?.[0]?.extensions?.code ?? 'OK';
const tally = (codes: string[]) => codes.reduce<Record<string, number>>((all, code) => ({ ...all, [code]: (all[code] ?? 0) + 1 }), {});
const WRONG = 'not the password';
/** The statement that reads the hash a re-authentication checks the password against (one per argon2 verification). */
const HASH_READ = /^SELECT password_hash FROM agents WHERE id = \?$/;
/** The statement that reserves an attempt in the agent's window. */
const RESERVE = /^\s*UPDATE reauth_throttles\s+SET failures = CASE/;

describe.each(databaseKinds)('re-authentication on %s', (kind) => {
  let t: TestGateway;
  let tenant: TestTenant;
  beforeAll(async () => {
    t = await startProductionGateway(kind);
    tenant = await createTenant(t, { twoFactor: true });
  });
  afterAll(() => t?.close());

  async function member(inTenant = tenant): Promise<TestAgent> {
    const agent = await signUp(t);
    await addMember(inTenant, agent);
    return agent;
  }
  const begin = (agent: TestAgent, password: string, tenantId = tenant.id, client = agent.client) => client.request(BeginTotpEnrolmentDocument, { tenantId, password });
  const reauthFailures = async (agent: TestAgent, tenantId = tenant.id) => (await auditActions(t, tenantId, agent.id)).filter((a) => a === 'REAUTH_FAILED').length;

  it('decides state errors before the password: ALREADY_ENROLLED and TWO_FACTOR_NOT_ENABLED say nothing about a guess', async () => {
    const enrolled = await member();
    await enrol(t, enrolled, tenant.id);
    expect(codeOf(await begin(enrolled, WRONG))).toBe('ALREADY_ENROLLED');
    expect(codeOf(await begin(enrolled, enrolled.password))).toBe('ALREADY_ENROLLED');

    const unenrolled = await member();
    for (const password of [WRONG, unenrolled.password]) {
      expect(codeOf(await unenrolled.client.request(DisableTwoFactorDocument, { tenantId: tenant.id, password }))).toBe('TWO_FACTOR_NOT_ENABLED');
      expect(codeOf(await unenrolled.client.request(RegenerateRecoveryCodesDocument, { tenantId: tenant.id, password }))).toBe('TWO_FACTOR_NOT_ENABLED');
    }
    expect([await reauthFailures(enrolled), await reauthFailures(unenrolled)]).toEqual([0, 0]);
  });

  it('5 wrong passwords lock re-authentication for 15 minutes, in every tenant, the right password included; each is audited', async () => {
    const other = await createTenant(t, { twoFactor: true });
    const agent = await member();
    await addMember(other, agent);
    for (let i = 0; i < 5; i++) expect(codeOf(await begin(agent, WRONG))).toBe('INVALID_PASSWORD');

    const locked = await begin(agent, agent.password);
    expect(codeOf(locked)).toBe('RATE_LIMITED');
    expect(locked.errors![0].extensions!.retryAfterSeconds).toBe(15 * 60);
    expect(codeOf(await begin(agent, agent.password, other.id))).toBe('RATE_LIMITED');
    expect([await reauthFailures(agent), await reauthFailures(agent, other.id)]).toEqual([5, 0]);

    t.clock.advance(15 * 60_000);
    expect(codeOf(await begin(agent, agent.password))).toBe('OK');
  });

  it('wrong passwords older than 15 minutes no longer count, and right ones never do', async () => {
    const agent = await member();
    for (let i = 0; i < 4; i++) expect(codeOf(await begin(agent, WRONG))).toBe('INVALID_PASSWORD');
    for (let i = 0; i < 3; i++) expect(codeOf(await begin(agent, agent.password))).toBe('OK');
    t.clock.advance(15 * 60_000 + 1000);
    for (let i = 0; i < 4; i++) expect(codeOf(await begin(agent, WRONG))).toBe('INVALID_PASSWORD');
    expect(codeOf(await begin(agent, agent.password))).toBe('OK');
  });

  it('judges exactly 5 of 20 parallel wrong passwords and refuses the rest before checking them', async () => {
    const agent = await member();
    t.statements.reset();
    const answers = await Promise.all(Array.from({ length: 20 }, () => begin(agent, WRONG)));
    expect(tally(answers.map(codeOf))).toEqual({ INVALID_PASSWORD: 5, RATE_LIMITED: 15 });
    expect(await reauthFailures(agent)).toBe(5);
    // A password is checked against the hash this statement reads: 5 were read, so 5 were checked.
    expect(t.statements.statements.filter((sql) => HASH_READ.test(sql))).toHaveLength(5);
  });

  it('reserves the attempt before it reads the hash to check the password against', async () => {
    const agent = await member();
    t.statements.reset();
    expect(codeOf(await begin(agent, WRONG))).toBe('INVALID_PASSWORD');
    const order = t.statements.statements.flatMap((sql) => (RESERVE.test(sql) ? ['reserve'] : HASH_READ.test(sql) ? ['hash'] : []));
    expect(order.slice(0, 2)).toEqual(['reserve', 'hash']);
  });

  it('counts in the database: wrong passwords through two gateway processes add up', async () => {
    const agent = await member();
    const peer = await t.startPeer();
    const viaPeer = peer.client.withToken(agent.token);
    for (const client of [agent.client, viaPeer, agent.client, viaPeer, agent.client]) expect(codeOf(await begin(agent, WRONG, tenant.id, client))).toBe('INVALID_PASSWORD');
    expect(codeOf(await begin(agent, agent.password, tenant.id, viaPeer))).toBe('RATE_LIMITED');
  });
});

// Threat: argon2 as an amplifier: many password checks bought with one request, or with a password the caller knows.
describe.each(databaseKinds)('what a password check costs the caller on %s', (kind) => {
  let t: TestGateway;
  let tenant: TestTenant;
  let passwordFields: string[];
  beforeAll(async () => {
    t = await startProductionGateway(kind, { TRUSTED_PROXY_HOPS: '1', RATE_LIMIT_REAUTH_PER_MINUTE: '3' });
    tenant = await createTenant(t, { twoFactor: true });
    const schema = await buildGatewaySchema();
    passwordFields = [schema.getQueryType(), schema.getMutationType()].flatMap((type) =>
      Object.values(type?.getFields() ?? {}).flatMap((field) => (field.args.some((arg) => /password$/i.test(arg.name)) ? [field.name] : [])),
    );
  });
  afterAll(() => t?.close());

  async function member(): Promise<TestAgent> {
    const agent = await signUp(t);
    await addMember(tenant, agent);
    return agent;
  }
  let address = 0;
  const nextAddress = () => `198.51.100.${++address}`;
  const begin = (agent: TestAgent, password: string, forwardedFor = nextAddress()) =>
    agent.client.raw({ query: print(BeginTotpEnrolmentDocument), variables: { tenantId: tenant.id, password } }, { 'x-forwarded-for': forwardedFor });

  it('refuses a document of 30 aliased beginTotpEnrolment whole, before anything runs', async () => {
    const agent = await member();
    const before = await databaseSnapshot(t);
    t.statements.reset();
    const fields = Array.from({ length: 30 }, (_, i) => `e${i}: beginTotpEnrolment(tenantId: $tenantId, password: $password) { secret }`);
    const response = await agent.client.raw({ query: `mutation($tenantId: ID!, $password: String!) { ${fields.join(' ')} }`, variables: { tenantId: tenant.id, password: agent.password } });
    expect(response.status).toBe(400);
    expect(response.data).toBeUndefined();
    expect(response.errors).toHaveLength(1);
    expect(response.errors![0].extensions!.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(response.errors![0].message).toMatch(/at most one field that checks a password.*30/);
    expect(t.statements.statements.filter((sql) => HASH_READ.test(sql))).toEqual([]);
    expect(await databaseSnapshot(t)).toBe(before);
  });

  it('refuses two of the fields that take a password in one document, for every such field of the schema (signIn and signUp too)', async () => {
    expect(passwordFields).toEqual(expect.arrayContaining(['signIn', 'signUp', 'beginTotpEnrolment', 'disableTwoFactor', 'regenerateRecoveryCodes', 'viewRecoveryCodes']));
    const schema = await buildGatewaySchema();
    const mutation = schema.getMutationType()!.getFields();
    const agent = await member();
    const before = await databaseSnapshot(t);
    for (const name of passwordFields) {
      // Every argument as a variable of its own type: the document must be valid but for the limit.
      const args = mutation[name].args;
      const variables = args.map((arg) => `$${arg.name}: ${arg.type}`).join(', ');
      const call = (alias: string) => `${alias}: ${name}(${args.map((arg) => `${arg.name}: $${arg.name}`).join(', ')}) { __typename }`;
      for (const second of [call('again'), 'signIn(email: "a@example.test", password: "x") { __typename }']) {
        const response = await agent.client.raw({ query: `mutation(${variables}) { ${call('first')} ${second} }` });
        expect(response.status, name).toBe(400);
        expect(response.errors?.[0]?.extensions?.code, name).toBe('GRAPHQL_VALIDATION_FAILED');
      }
    }
    // Through fragments and a second operation of the document too.
    const split = await agent.client.raw({
      query: 'mutation A { ...F } mutation B { signIn(email: "a@example.test", password: "x") { token } } fragment F on Mutation { signIn(email: "a@example.test", password: "x") { token } }',
      operationName: 'A',
    });
    expect(split.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(await databaseSnapshot(t)).toBe(before);
    expect(codeOf(await begin(agent, agent.password))).toBe('OK'); // one is fine
  });

  it('budgets re-authentication per agent, right passwords included, from every address', async () => {
    const agent = await member();
    for (let i = 0; i < 3; i++) expect(codeOf(await begin(agent, agent.password))).toBe('OK');
    const refused = await begin(agent, agent.password);
    expect(codeOf(refused)).toBe('RATE_LIMITED');
    expect(refused.errors![0].extensions!.retryAfterSeconds).toBe(60);
    t.clock.advance(60_000);
    expect(codeOf(await begin(agent, agent.password))).toBe('OK');
  });

  it('budgets re-authentication per client address, across agents, right passwords included', async () => {
    t.clock.advance(60_000);
    const from = nextAddress();
    for (let i = 0; i < 3; i++) {
      const agent = await member();
      expect(codeOf(await begin(agent, agent.password, from))).toBe('OK');
    }
    const another = await member();
    expect(codeOf(await begin(another, another.password, from))).toBe('RATE_LIMITED');
    expect(codeOf(await begin(another, another.password))).toBe('OK'); // its own budget was untouched
  });

  it('keeps the failure lock beside the budget: 5 wrong passwords lock for 15 minutes', async () => {
    t.clock.advance(60_000);
    const agent = await member();
    for (let i = 0; i < 3; i++) expect(codeOf(await begin(agent, WRONG))).toBe('INVALID_PASSWORD');
    t.clock.advance(60_000);
    for (let i = 0; i < 2; i++) expect(codeOf(await begin(agent, WRONG))).toBe('INVALID_PASSWORD');
    t.clock.advance(60_000);
    const locked = await begin(agent, agent.password);
    expect(codeOf(locked)).toBe('RATE_LIMITED');
    expect(locked.errors![0].extensions!.retryAfterSeconds).toBe(14 * 60);
  });
});
