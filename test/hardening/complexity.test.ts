// Threat: documents that cost far more than they look (many aliased pages), without refusing real console pages.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { getIntrospectionQuery, getNamedType, getNullableType, GraphQLInputObjectType, GraphQLSchema, isEnumType, isInputObjectType, isListType, isNonNullType, Kind, OperationDefinitionNode, parse, typeFromAST } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config';
import { estimateComplexity } from '../../src/http/graphql-limits';
import { buildGatewaySchema } from '../../src/schema';
import type { GraphQLResponse } from '../helpers/client';
import { databaseKinds } from '../helpers/databases';
import { createTenant, TestTenant } from '../helpers/fixtures';
import { TEST_ENCRYPTION_KEYS, TestGateway } from '../helpers/gateway';
import { INTERNALS, startProductionGateway } from './harness';
import { connectionFields, pageQuery } from './schema-walk';

const README = readFileSync(path.resolve(__dirname, '../../README.md'), 'utf8');

/** The README's admin-console query, exactly as a reader would paste it. */
const agentsWithout2fa = README.match(/```graphql\n(query AgentsWithout2FA[\s\S]*?)```/)![1];
/** The README's inline audit-log selection, inside the tenant it names. */
const readmeAuditLog = `query($tenantId: ID!) { tenant(id: $tenantId) { ${README.match(/`(auditLog\(first: \d+\)[^`]*)`/)![1].replace(/\s+/g, ' ')} } }`;

/** `n` aliased 100-row pages of the audit log, `first` written as given (a literal or `$n`). */
const aliasedPages = (n: number, first: string) =>
  `query($t: ID!${first.startsWith('$') ? `, ${first}: Int` : ''}) { tenant(id: $t) { ${Array.from({ length: n }, (_, i) => `p${i}: auditLog(first: ${first}) { edges { node { id action at } } }`).join(' ')} } }`;

function expectAnswered(response: GraphQLResponse<unknown>) {
  expect(response.status, JSON.stringify(response.errors)).toBe(200);
  expect(response.errors).toBeUndefined();
}

describe.each(databaseKinds)('pagination-aware complexity in production on %s', (kind) => {
  let t: TestGateway;
  let tenant: TestTenant;
  let schema: GraphQLSchema;
  beforeAll(async () => {
    t = await startProductionGateway(kind);
    tenant = await createTenant(t, { twoFactor: true }); // a few audit events to page through
    schema = await buildGatewaySchema();
  });
  afterAll(() => t?.close());

  it('answers the reported 100-row audit-log page with actors and subjects', async () => {
    const query = 'query($t: ID!) { tenant(id: $t) { auditLog(first: 100) { edges { node { action at actor { id } subject { id } } } } } }';
    const response = await tenant.owner.client.raw<{ tenant: { auditLog: { edges: unknown[] } } }>({ query, variables: { t: tenant.id } });
    expectAnswered(response);
    expect(response.data!.tenant.auditLog.edges.length).toBeGreaterThan(0);
  });

  it("answers the README's AgentsWithout2FA and audit-log queries as written", async () => {
    expectAnswered(await tenant.owner.client.raw({ query: agentsWithout2fa, variables: { tenantId: tenant.id } }));
    expectAnswered(await tenant.owner.client.raw({ query: readmeAuditLog, variables: { tenantId: tenant.id } }));
  });

  it('answers a 100-row page of every connection in the schema with every field, as a literal and as a variable', async () => {
    const connections = connectionFields(schema);
    expect(connections.map(({ field }) => field.name)).toEqual(expect.arrayContaining(['agents', 'auditLog']));
    for (const { path: route, field } of connections) {
      for (const first of ['100', '$first']) {
        const query = pageQuery(route, field, first, tenant.id);
        const response = await tenant.owner.client.raw({ query, variables: { first: 100 } });
        expect(response.status, `${query}\n${JSON.stringify(response.errors)}`).toBe(200);
        expect(response.errors ?? [], query).toEqual([]);
      }
    }
  });

  it('judges first: 42, first: 43 and $first alike', async () => {
    for (const first of [42, 43, 100]) {
      const literal = `query($t: ID!) { tenant(id: $t) { auditLog(first: ${first}) { edges { node { action at actor { id } subject { id } } } } } }`;
      expectAnswered(await tenant.owner.client.raw({ query: literal, variables: { t: tenant.id } }));
    }
    const variable = 'query($t: ID!, $n: Int) { tenant(id: $t) { auditLog(first: $n) { edges { node { action at actor { id } subject { id } } } } } }';
    expectAnswered(await tenant.owner.client.raw({ query: variable, variables: { t: tenant.id, n: 100 } }));
  });

  it('refuses 30 aliased 100-row pages whole: GRAPHQL_VALIDATION_FAILED naming the limit and the cost, the same for a literal and a variable', async () => {
    const answers = [
      await tenant.owner.client.raw({ query: aliasedPages(30, '100'), variables: { t: tenant.id } }),
      await tenant.owner.client.raw({ query: aliasedPages(30, '$n'), variables: { t: tenant.id, n: 100 } }),
      await t.client.raw({ query: aliasedPages(30, '100'), variables: { t: tenant.id } }), // judged before any session check
    ];
    for (const response of answers) {
      expect(response.status).toBe(400);
      expect(response.data ?? undefined).toBeUndefined();
      expect(response.errors).toHaveLength(1);
      const [error] = response.errors!;
      expect(error.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
      expect(error.message).toBe('Query complexity limit of 10000 exceeded, found 18031.');
      expect(error.extensions).toMatchObject({ complexityLimit: 10000, complexity: 18031 });
      expect(JSON.stringify(response)).not.toMatch(/Syntax Error/);
      expect(JSON.stringify(response)).not.toMatch(INTERNALS);
    }
    // One page fewer on each side of the limit: 16 such pages pass.
    expectAnswered(await tenant.owner.client.raw({ query: aliasedPages(16, '100'), variables: { t: tenant.id } }));
  });

  it('judges every request of a document anew by the variables it pages and includes with, however often it passed before', async () => {
    const paged = aliasedPages(30, '$n');
    const included = `query($t: ID!, $all: Boolean!) { tenant(id: $t) { ${Array.from({ length: 18 }, (_, i) => `p${i}: auditLog(first: 100) @include(if: $all) { edges { node { id action at } } }`).join(' ')} } }`;
    for (let round = 0; round < 2; round++) {
      expectAnswered(await tenant.owner.client.raw({ query: paged, variables: { t: tenant.id, n: 1 } }));
      expectAnswered(await tenant.owner.client.raw({ query: included, variables: { t: tenant.id, all: false } }));
      const refusals = [
        [await tenant.owner.client.raw({ query: paged, variables: { t: tenant.id, n: 100 } }), 18031],
        [await tenant.owner.client.raw({ query: included, variables: { t: tenant.id, all: true } }), 10819], // 18 pages
      ] as const;
      for (const [response, cost] of refusals) {
        expect(response.status).toBe(400);
        expect(response.errors![0].message).toBe(`Query complexity limit of 10000 exceeded, found ${cost}.`);
      }
    }
  });

  it('refuses a document whose unpaged lists multiply (fragments spread many times) by its complexity', async () => {
    const spreads = '...W '.repeat(150);
    const query = `{ tenants { workspaces { ${spreads}} } } fragment W on Workspace { id name twoFactorRequired tenant { id name issuer } }`;
    const response = await tenant.owner.client.raw({ query });
    expect(response.status).toBe(400);
    expect(response.errors![0].extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(response.errors![0].message).toMatch(/^Query complexity limit of 10000 exceeded, found \d+\.$/);
  });

  it('answers hostile page sizes with a clean client error, never a 500', async () => {
    const page = (first: string, definitions = '') => `query($t: ID!${definitions}) { tenant(id: $t) { auditLog(first: ${first}) { edges { node { id } } } } }`;
    const cases: Array<[string, string, Record<string, unknown>, string]> = [
      ['-1', '', {}, 'BAD_USER_INPUT'],
      ['0', '', {}, 'BAD_USER_INPUT'],
      ['101', '', {}, 'BAD_USER_INPUT'],
      ['2147483647', '', {}, 'BAD_USER_INPUT'],
      ['2147483648', '', {}, 'GRAPHQL_VALIDATION_FAILED'],
      ['"100"', '', {}, 'GRAPHQL_VALIDATION_FAILED'],
      ['$n', ', $n: Int', { n: -1 }, 'BAD_USER_INPUT'],
      ['$n', ', $n: Int', { n: 1e12 }, 'BAD_USER_INPUT'],
      ['$n', ', $n: Int', { n: 'a lot' }, 'BAD_USER_INPUT'],
      ['$n', ', $n: Int', { n: [100] }, 'BAD_USER_INPUT'],
      ['$n', ', $n: Int!', {}, 'BAD_USER_INPUT'], // a required variable that was not sent
      ['$n', ', $n: Int!', { n: null }, 'BAD_USER_INPUT'],
      ['$n', ', $n: String', { n: '100' }, 'GRAPHQL_VALIDATION_FAILED'],
    ];
    for (const [first, definitions, variables, code] of cases) {
      const response = await tenant.owner.client.raw({ query: page(first, definitions), variables: { t: tenant.id, ...variables } });
      const label = `first: ${first}${definitions} ${JSON.stringify(variables)}: ${JSON.stringify(response)}`;
      expect(response.status, label).toBeLessThan(500);
      expect(response.errors?.[0]?.extensions?.code, label).toBe(code);
      expect(JSON.stringify(response)).not.toMatch(INTERNALS);
    }
    // An explicit null is the default page size; a nullable variable left out is too.
    expectAnswered(await tenant.owner.client.raw({ query: page('null'), variables: { t: tenant.id } }));
    expectAnswered(await tenant.owner.client.raw({ query: page('$n', ', $n: Int'), variables: { t: tenant.id } }));
  });
});

describe("the console's and integrators' own operations", () => {
  it('each cost well under the limit with 100-row pages', async () => {
    const folder = path.resolve(__dirname, '../../src/client/operations');
    const document = parse(readdirSync(folder).filter((f) => f.endsWith('.graphql')).map((f) => readFileSync(path.join(folder, f), 'utf8')).join('\n'));
    const schema = await buildGatewaySchema();
    const operations = document.definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
    expect(operations.length).toBeGreaterThan(10);
    for (const operation of operations) {
      const cost = estimateComplexity(schema, document, sampleVariables(schema, operation), operation.name!.value);
      expect(cost, operation.name!.value).toBeLessThanOrEqual(5_000);
    }
  });

  it("leave introspection (where it is on) to its own switch: a full introspection query is cheap", async () => {
    const schema = await buildGatewaySchema();
    expect(estimateComplexity(schema, parse(getIntrospectionQuery()), {})).toBeLessThan(1_000);
  });
});

/** A value for each variable: 100 for every Int (so every page is full), something well-typed for the rest. */
function sampleVariables(schema: GraphQLSchema, operation: OperationDefinitionNode): Record<string, unknown> {
  const values: Record<string, unknown> = {};
  for (const definition of operation.variableDefinitions ?? []) {
    const type = typeFromAST(schema, definition.type);
    const named = type && getNamedType(type);
    const name = definition.variable.name.value;
    if (!named) continue;
    if (named.name === 'Int') values[name] = 100;
    else if (isNonNullType(type) && isEnumType(named)) values[name] = named.getValues()[0].name;
    else if (isNonNullType(type) && named.name === 'JSONObject') values[name] = {};
    else if (isNonNullType(type) && isInputObjectType(named)) values[name] = sampleInput(named);
    else if (isNonNullType(type)) values[name] = named.name === 'Boolean' ? true : 'x';
  }
  return values;
}

/** An input object with each required field given something well-typed (a list of one). */
function sampleInput(type: GraphQLInputObjectType): Record<string, unknown> {
  const value: Record<string, unknown> = {};
  for (const field of Object.values(type.getFields())) {
    if (!isNonNullType(field.type) || field.defaultValue !== undefined) continue;
    const named = getNamedType(field.type);
    const one = isInputObjectType(named) ? sampleInput(named) : isEnumType(named) ? named.getValues()[0].name : named.name === 'Boolean' ? true : named.name === 'Int' ? 1 : 'x';
    value[field.name] = isListType(getNullableType(field.type)) ? [one] : one;
  }
  return value;
}

describe('GRAPHQL_MAX_COMPLEXITY', () => {
  it('sets the limit: at 1000 a full 100-row audit-log page is refused, naming 1000', async () => {
    const t = await startProductionGateway('sqlite', { GRAPHQL_MAX_COMPLEXITY: '1000' });
    try {
      const tenant = await createTenant(t);
      const schema = await buildGatewaySchema();
      const auditLog = connectionFields(schema).find(({ field }) => field.name === 'auditLog')!;
      const response = await tenant.owner.client.raw({ query: pageQuery(auditLog.path, auditLog.field, '100', tenant.id) });
      expect(response.status).toBe(400);
      expect(response.errors![0].message).toMatch(/^Query complexity limit of 1000 exceeded, found \d+\.$/);
    } finally {
      await t.close();
    }
  });

  it('must be a whole number from 100 to 1000000', () => {
    expect(loadConfig({ GRAPHQL_MAX_COMPLEXITY: '250000', ENCRYPTION_KEYS: TEST_ENCRYPTION_KEYS }).maxComplexity).toBe(250_000);
    for (const bad of ['lots', '99', '1.5', '2000000']) {
      expect(() => loadConfig({ GRAPHQL_MAX_COMPLEXITY: bad, ENCRYPTION_KEYS: TEST_ENCRYPTION_KEYS })).toThrow(/GRAPHQL_MAX_COMPLEXITY must be an integer from 100 to 1000000/);
    }
  });
});
