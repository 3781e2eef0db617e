// Threat: anonymous clients growing /metrics without limit (every new label value is a series kept for good).
import { randomUUID } from 'node:crypto';
import { GraphQLField, GraphQLObjectType, getNamedType, isCompositeType } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildGatewaySchema } from '../../src/schema';
import { databaseKinds } from '../helpers/databases';
import type { TestGateway } from '../helpers/gateway';
import { startProductionGateway } from './harness';
import { isRequired, literalFor } from './schema-walk';

const METRICS_TOKEN = 'metrics-token-for-the-scraper';
const DOCUMENTS = 2000;
const LATENCY = 'gateway_graphql_request_duration_seconds_count';

/** A root field with its required arguments filled (a fresh random id for each ID), or null when one cannot be written. */
function fieldText(field: GraphQLField<unknown, unknown>): string | null {
  const args: string[] = [];
  for (const arg of field.args.filter(isRequired)) {
    const literal = literalFor(arg, randomUUID());
    if (literal === null) return null;
    args.push(`${arg.name}: ${literal}`);
  }
  const selection = isCompositeType(getNamedType(field.type)) ? ' { __typename }' : '';
  return `${field.name}${args.length ? `(${args.join(', ')})` : ''}${selection}`;
}

describe.each(databaseKinds)('/metrics under anonymous documents on %s', (kind) => {
  let t: TestGateway;
  let mutationFields: Array<GraphQLField<unknown, unknown>>;
  let rootFieldCount: number;
  beforeAll(async () => {
    t = await startProductionGateway(kind, { METRICS_TOKEN });
    const schema = await buildGatewaySchema();
    const roots = [schema.getQueryType(), schema.getMutationType()].filter((type): type is GraphQLObjectType => !!type);
    rootFieldCount = roots.reduce((sum, type) => sum + Object.keys(type.getFields()).length, 0);
    // Fields that check no password: a password costs argon2 and has a document limit of its own.
    mutationFields = Object.values(schema.getMutationType()!.getFields()).filter((field) => !field.args.some((arg) => /password$/i.test(arg.name)) && fieldText(field) !== null);
  });
  afterAll(() => t?.close());

  const latencySeries = async () => {
    const text = await (await fetch(`${t.url}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } })).text();
    return text.split('\n').filter((line) => line.startsWith(`${LATENCY}{`));
  };

  it(`keeps the latency series within the schema's root fields after ${DOCUMENTS} distinct anonymous documents`, async () => {
    expect(mutationFields.length).toBeGreaterThan(10);
    let sent = 0;
    const send = async () => {
      while (sent < DOCUMENTS) {
        sent++;
        // A random set of 2 to 6 mutation fields: some 10^6 combinations, each a label value before.
        const picked = [...mutationFields].sort(() => Math.random() - 0.5).slice(0, 2 + Math.floor(Math.random() * 5));
        const response = await t.client.raw({ query: `mutation { ${picked.map(fieldText).join(' ')} }` });
        expect(response.status).toBeLessThan(500);
      }
    };
    await Promise.all(Array.from({ length: 8 }, send));

    const series = await latencySeries();
    // One series per root field at most, and one for requests that never resolved an operation.
    expect(series.length).toBeLessThanOrEqual(rootFieldCount + 1);
    for (const line of series) expect(line).toMatch(/^gateway_graphql_request_duration_seconds_count\{operation="[A-Za-z_]+"\} \d+$/);
  });
});
