// Threat: any request of any shape, signed in or not, that ends the process, answers a 5xx or shows internals.
// Built from the running schema: a root field added later is swept without editing this file.
import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import {
  buildClientSchema,
  getIntrospectionQuery,
  getNamedType,
  GraphQLField,
  GraphQLInputType,
  GraphQLSchema,
  IntrospectionQuery,
  isEnumType,
  isInputObjectType,
  isListType,
  isNonNullType,
  isObjectType,
} from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BeginTotpEnrolmentDocument, ConfirmTotpEnrolmentDocument, EnterWorkspaceDocument } from '../../src/client/generated/graphql';
import { ErrorCodes } from '../../src/errors/error-codes';
import { GraphQLClient } from '../helpers/client';
import { databaseKinds, scratchDatabase, ScratchDatabase } from '../helpers/databases';
import { addMember, createTenant, PASSWORD, signUp, TestAgent, TestTenant } from '../helpers/fixtures';
import type { TestGateway } from '../helpers/gateway';
import { totpCode } from '../helpers/totp';
import { freePort, GatewayProcess, INTERNALS, PROCESS_LEVEL_DEFECT, productionEnv, spawnGateway } from './harness';
import { HOSTILE_JSON_OBJECTS, hostileRequest, HostileRequest, ID_SPELLINGS, KnownValues } from './hostile-requests';

/** Where an ID or JSONObject is taken: a root field's argument, or a field of an input object inside one. */
interface Taker {
  operation: 'query' | 'mutation';
  field: GraphQLField<unknown, unknown>;
  /** The argument, then input object fields down to the value. */
  path: string[];
  scalar: 'ID' | 'JSONObject';
}

/** Every place a root field takes an ID or a JSONObject, through input objects too (read from the schema). */
function idAndJsonTakers(schema: GraphQLSchema): Taker[] {
  const found: Taker[] = [];
  const walk = (operation: Taker['operation'], field: GraphQLField<unknown, unknown>, path: string[], type: GraphQLInputType, seen: Set<string>) => {
    const named = getNamedType(type);
    if (named.name === 'ID' || named.name === 'JSONObject') found.push({ operation, field, path, scalar: named.name });
    else if (isInputObjectType(named) && !seen.has(named.name)) {
      for (const inner of Object.values(named.getFields())) walk(operation, field, [...path, inner.name], inner.type, new Set([...seen, named.name]));
    }
  };
  for (const [operation, root] of [['query', schema.getQueryType()], ['mutation', schema.getMutationType()]] as const) {
    for (const field of Object.values(root?.getFields() ?? {})) for (const arg of field.args) walk(operation, field, [arg.name], arg.type, new Set());
  }
  return found;
}

/** A value that fits the type (an existing id for each ID), so only the value under test is refused. */
function fittingValue(type: GraphQLInputType, id: string): unknown {
  if (isNonNullType(type)) return fittingValue(type.ofType, id);
  if (isListType(type)) return [fittingValue(type.ofType as GraphQLInputType, id)];
  if (isInputObjectType(type)) {
    const value: Record<string, unknown> = {};
    for (const field of Object.values(type.getFields())) if (isNonNullType(field.type)) value[field.name] = fittingValue(field.type, id);
    return value;
  }
  if (isEnumType(type)) return type.getValues()[0].value;
  return ({ ID: id, String: 'x', Int: 1, Float: 1, Boolean: true, JSONObject: {}, DateTime: '2026-01-01T00:00:00.000Z' } as Record<string, unknown>)[type.name] ?? null;
}

/**
 * CI: a fixed seed and a few runs per (root field, caller), well under a minute per database.
 * `npm run fuzz`: a random seed (printed) and many runs. FUZZ_SEED and FUZZ_RUNS replay or resize either.
 */
const LONG = process.env.FUZZ === 'long';
const SEED = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : LONG ? randomBytes(4).readInt32LE() : 20_261_128;
const RUNS = process.env.FUZZ_RUNS ? Number(process.env.FUZZ_RUNS) : LONG ? 300 : 10;

/** Codes a client may meet: the contract's (the catalogue) and Apollo's own client errors. Never INTERNAL_SERVER_ERROR. */
const ALLOWED_CODES = new Set([
  ...Object.keys(ErrorCodes),
  'GRAPHQL_PARSE_FAILED',
  'GRAPHQL_VALIDATION_FAILED',
  'BAD_USER_INPUT',
  'BAD_REQUEST',
  'OPERATION_RESOLUTION_FAILURE',
  'PERSISTED_QUERY_NOT_FOUND',
  'PERSISTED_QUERY_NOT_SUPPORTED',
]);

type Caller = 'no session' | 'forged token' | 'owner' | 'member';
const CALLERS: Caller[] = ['no session', 'forged token', 'owner', 'member'];

interface Answer {
  status: number;
  text: string;
  body: { errors?: Array<{ message: string; extensions?: { code?: string; stacktrace?: unknown } }> } | undefined;
}

describe.each(databaseKinds)('schema-driven sweep of a production gateway process on %s', (kind) => {
  let database: ScratchDatabase;
  let gateway: GatewayProcess;
  let schema: GraphQLSchema;
  let known: KnownValues;
  /** The sweep's own sessions: their emails are never swept (a locked sign-in would end the sweep's sessions). */
  const sessions: Partial<Record<Caller, TestAgent>> = {};
  let refresh: Record<'owner' | 'member', () => Promise<TestAgent>>;

  beforeAll(async () => {
    database = await scratchDatabase(kind);
    // Introspection on, so the schema is read from the very process under attack; everything else as in production.
    gateway = await spawnGateway(productionEnv(database, { LOG_LEVEL: 'error', GRAPHQL_INTROSPECTION: 'true' }), await freePort());
    const client = new GraphQLClient(gateway.url);
    const introspection = await client.raw<IntrospectionQuery>({ query: getIntrospectionQuery() });
    schema = buildClientSchema(introspection.data!);

    const t = { client } as TestGateway;
    const ours: TestTenant = await createTenant(t, { twoFactor: true, name: 'Swept Tenant' });
    const theirs: TestTenant = await createTenant(t, { twoFactor: true, name: 'Other Tenant' });
    const member = await signUp(t, 'member');
    await addMember(ours, member);
    const bystander = await signUp(t, 'bystander');
    await addMember(theirs, bystander, 'ADMIN');
    const signIn = async (agent: TestAgent) => {
      const response = await client.raw<{ signIn: { token: string } }>({
        query: 'mutation($e: String!, $p: String!) { signIn(email: $e, password: $p) { token } }',
        variables: { e: agent.email, p: agent.password },
      });
      const token = response.data?.signIn.token;
      // A sweep that changed the password leaves a newcomer (still a real session, without the memberships).
      return token ? { ...agent, token, client: client.withToken(token) } : signUp(t, 'newcomer');
    };
    /** A fresh session of the agent with the workspace's challenge open (none if the sweep has changed the rules). */
    const withChallenge = async (agent: TestAgent, workspaceId: string) => {
      const session = await signIn(agent);
      const response = await session.client.request(EnterWorkspaceDocument, { workspaceId });
      return { session, challengeId: response.data?.enterWorkspace.challenge?.id ?? 'no-challenge' };
    };
    /** Enrols the agent in the tenant (real clock), then opens a challenge from a fresh session. */
    const challenged = async (agent: TestAgent, tenant: TestTenant) => {
      const { beginTotpEnrolment } = await agent.client.ok(BeginTotpEnrolmentDocument, { tenantId: tenant.id, password: agent.password });
      await agent.client.ok(ConfirmTotpEnrolmentDocument, { tenantId: tenant.id, code: totpCode(beginTotpEnrolment.secret, Date.now()) });
      return withChallenge(agent, tenant.secureWorkspaceId);
    };
    // The member sweeps with a challenge of its own open (answers reach the code check); the bystander's is foreign.
    const ownChallenge = await challenged(member, ours);
    const foreignChallenge = await challenged(bystander, theirs);
    refresh = {
      owner: () => signIn(ours.owner),
      member: async () => {
        const again = await withChallenge(member, ours.secureWorkspaceId);
        known.byName.challengeId[0] = again.challengeId;
        return again.session;
      },
    };
    sessions.owner = ours.owner;
    sessions.member = ownChallenge.session;
    known = {
      ids: [
        ...[ours.id, ours.secureWorkspaceId, ours.openWorkspaceId, ours.owner.id, member.id, ownChallenge.challengeId],
        ...[theirs.id, theirs.secureWorkspaceId, theirs.openWorkspaceId, theirs.owner.id, bystander.id, foreignChallenge.challengeId],
      ],
      strings: [bystander.email, theirs.owner.email, bystander.email.toUpperCase(), PASSWORD, 'Swept Tenant', 'Other Tenant'],
      byName: {
        challengeId: [ownChallenge.challengeId, foreignChallenge.challengeId],
        tenantId: [ours.id, theirs.id],
        workspaceId: [ours.secureWorkspaceId, ours.openWorkspaceId, theirs.secureWorkspaceId],
        agentId: [member.id, ours.owner.id, bystander.id],
        code: ['000000', '123456', '654321', '7KQ2-M9XD', '1234-5678'],
        password: [PASSWORD],
        email: [bystander.email, theirs.owner.email],
      },
    };
  });

  afterAll(async () => {
    const exitCode = await gateway?.stop();
    await database?.drop();
    expect(exitCode).toBe(0);
  });

  async function send(caller: Caller, request: HostileRequest): Promise<Answer> {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (caller === 'forged token') headers.authorization = `Bearer ${randomBytes(32).toString('base64url')}`;
    if (caller === 'owner' || caller === 'member') headers.authorization = `Bearer ${sessions[caller]!.token}`;
    const response = await fetch(`${gateway.url}/graphql`, { method: 'POST', headers, body: JSON.stringify({ query: request.query, variables: request.variables }) });
    const text = await response.text();
    let body: Answer['body'];
    try {
      body = JSON.parse(text);
    } catch {
      body = undefined;
    }
    return { status: response.status, text, body };
  }

  /** Everything that must hold after any request; a message naming what broke, or null. */
  async function problemWith(request: HostileRequest, answer: Answer): Promise<string | null> {
    if (gateway.child.exitCode !== null) return `the process exited (${gateway.child.exitCode})`;
    const health = await fetch(`${gateway.url}/healthz`).then((r) => r.status, (error: Error) => error.message);
    if (health !== 200) return `/healthz answered ${health}`;
    const logged = gateway.output().match(new RegExp(`.*(${PROCESS_LEVEL_DEFECT.source}|unexpected error).*`, 'i'));
    if (logged) return `the gateway logged a defect: ${logged[0]}`;
    if (answer.status >= 500) return `HTTP ${answer.status}`;
    if (!answer.body) return `a body that is not JSON (HTTP ${answer.status})`;
    // The answer may quote what was sent (a variable's bad value); what is left must show no internals.
    let rest = answer.text;
    for (const value of request.sent) if (value.length > 2) rest = rest.split(JSON.stringify(value).slice(1, -1)).join('');
    if (INTERNALS.test(rest)) return `internals in the answer: ${rest.match(INTERNALS)![0]}`;
    for (const error of answer.body.errors ?? []) {
      if (error.extensions?.stacktrace !== undefined) return 'a stack trace in the answer';
      if (!ALLOWED_CODES.has(error.extensions?.code ?? '(none)')) return `error code ${error.extensions?.code ?? '(none)'}: ${error.message}`;
    }
    return null;
  }

  function rootFields(): Array<{ operation: 'query' | 'mutation'; field: GraphQLField<unknown, unknown> }> {
    return [
      ...Object.values(schema.getQueryType()!.getFields()).map((field) => ({ operation: 'query' as const, field })),
      ...Object.values(schema.getMutationType()?.getFields() ?? {}).map((field) => ({ operation: 'mutation' as const, field })),
    ];
  }

  it('refuses every ID it takes in another spelling, and every JSONObject too deep or too large, before anything runs', async () => {
    const takers = idAndJsonTakers(schema);
    expect(takers.filter((taker) => taker.scalar === 'JSONObject').map((taker) => taker.field.name)).toEqual(expect.arrayContaining(['verifyPasskey', 'finishPasskeyRegistration']));
    expect(takers.filter((taker) => taker.scalar === 'ID').length).toBeGreaterThan(30);
    const realId = known.byName.tenantId[0];
    const cases = takers.flatMap((taker) =>
      taker.scalar === 'ID'
        ? ID_SPELLINGS.map(([label, spell]) => ({ taker, label, value: spell(realId) as unknown }))
        : HOSTILE_JSON_OBJECTS.map(([label, make]) => ({ taker, label, value: make() as unknown })),
    );
    for (const { taker, label, value } of cases) {
      const { operation, field, path } = taker;
      const variables: Record<string, unknown> = {};
      for (const arg of field.args) if (isNonNullType(arg.type) || arg.name === path[0]) variables[arg.name] = fittingValue(arg.type, realId);
      // Put the value where the path leads (through input objects, and into a list's first item).
      let holder = variables;
      for (const step of path.slice(0, -1)) holder = (Array.isArray(holder[step]) ? (holder[step] as unknown[])[0] : (holder[step] ??= {})) as Record<string, unknown>;
      const last = path[path.length - 1];
      holder[last] = Array.isArray(holder[last]) ? [value] : value;
      const args = field.args.filter((arg) => arg.name in variables);
      const definitions = args.map((arg) => `$${arg.name}: ${String(arg.type)}`).join(', ');
      const selection = isObjectType(getNamedType(field.type)) ? ' { __typename }' : '';
      const query = `${operation}(${definitions}) { ${field.name}(${args.map((arg) => `${arg.name}: $${arg.name}`).join(', ')})${selection} }`;
      const answer = await send('owner', { query, variables, sent: [] });
      expect(`${answer.status} ${answer.body?.errors?.[0]?.extensions?.code}`, `${field.name} ${path.join('.')} with ${label}: ${answer.text.slice(0, 300)}`).toBe('400 BAD_USER_INPUT');
    }
    // And the process lives on, logging no defect.
    expect(await problemWith({ query: '', variables: {}, sent: [] }, { status: 200, text: '{}', body: {} })).toBeNull();
  });

  it(`answers every root field × caller × hostile arguments cleanly, and the process serves on (seed ${SEED}, ${RUNS} runs each)`, { timeout: LONG ? 24 * 3600_000 : 120_000 }, async () => {
    console.log(`schema sweep on ${kind}: FUZZ_SEED=${SEED} FUZZ_RUNS=${RUNS}`);
    const fields = rootFields();
    expect(fields.map(({ field }) => field.name)).toEqual(expect.arrayContaining(['me', 'tenant', 'createTenant', 'verifyTwoFactor']));
    let requests = 0;
    const outcomes = new Map<string, number>(); // what the requests met, so a sweep that only meets validation shows
    for (const [index, { operation, field }] of fields.entries()) {
      for (const [callerIndex, caller] of CALLERS.entries()) {
        await fc.assert(
          fc.asyncProperty(fc.gen(), async (g) => {
            const request = hostileRequest(g, operation, field, known);
            const answer = await send(caller, request);
            requests++;
            const outcome = answer.body?.errors?.[0]?.extensions?.code ?? (answer.body?.errors ? '(no code)' : 'data');
            outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
            const problem = await problemWith(request, answer);
            if (problem) {
              throw new Error(`${operation} ${field.name} as ${caller}: ${problem}\nrequest: ${JSON.stringify({ query: request.query, variables: request.variables }).slice(0, 2000)}\nanswer: ${answer.text.slice(0, 1000)}`);
            }
            // A sweep may sign its own session out (signOut, a revocation): sign in again for the next run.
            const sessionEnded = answer.body?.errors?.some((e) => e.extensions?.code === 'UNAUTHENTICATED');
            if (sessionEnded && (caller === 'owner' || caller === 'member')) sessions[caller] = await refresh[caller]();
          }),
          { seed: SEED + index * CALLERS.length + callerIndex, numRuns: RUNS, endOnFailure: true },
        );
      }
    }
    expect(gateway.output()).not.toMatch(PROCESS_LEVEL_DEFECT);
    expect(gateway.output()).not.toMatch(/unexpected error/);
    console.log(`schema sweep on ${kind}: ${requests} requests over ${fields.length} root fields × ${CALLERS.length} callers:`, Object.fromEntries([...outcomes].sort((a, b) => b[1] - a[1])));
  });
});
