// Threat: internals read off /metrics by anyone, and answers carrying tokens, secrets and codes kept by caches.
import { createHash } from 'node:crypto';
import { print } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MeDocument, SignInDocument } from '../../src/client/generated/graphql';
import { databaseKinds } from '../helpers/databases';
import { signUp } from '../helpers/fixtures';
import { startTestGateway, TestGateway } from '../helpers/gateway';
import { startProductionGateway } from './harness';

const METRICS_TOKEN = 'a-long-random-metrics-token-0123456789';

describe.each(databaseKinds)('/metrics access on %s', (kind) => {
  let guarded: TestGateway;
  let unset: TestGateway;
  let development: TestGateway;
  beforeAll(async () => {
    guarded = await startProductionGateway(kind, { METRICS_TOKEN });
    unset = await startProductionGateway(kind);
    development = await startTestGateway(kind);
  });
  afterAll(async () => {
    for (const t of [guarded, unset, development]) await t?.close();
  });

  const scrape = (t: TestGateway, authorization?: string) => fetch(`${t.url}/metrics`, { headers: authorization ? { authorization } : {} });

  it('answers only the bearer of METRICS_TOKEN', async () => {
    const scraped = await scrape(guarded, `Bearer ${METRICS_TOKEN}`);
    expect(scraped.status).toBe(200);
    expect(await scraped.text()).toContain('gateway_graphql_request_duration_seconds');
    for (const authorization of [undefined, 'Bearer wrong', `Bearer ${METRICS_TOKEN}x`, `Basic ${Buffer.from(`x:${METRICS_TOKEN}`).toString('base64')}`, METRICS_TOKEN]) {
      const refused = await scrape(guarded, authorization);
      expect(refused.status, String(authorization)).toBe(401);
      expect(await refused.text()).not.toContain('gateway_');
    }
  });

  it('is off in production without METRICS_TOKEN, and open in development', async () => {
    expect((await scrape(unset)).status).toBe(404);
    expect((await scrape(unset, `Bearer ${METRICS_TOKEN}`)).status).toBe(404);
    expect((await scrape(development)).status).toBe(200);
  });
});

describe.each(databaseKinds)('/graphql answers in production on %s', (kind) => {
  let t: TestGateway;
  beforeAll(async () => {
    t = await startProductionGateway(kind);
  });
  afterAll(() => t?.close());

  const post = (body: string, headers: Record<string, string> = {}) =>
    fetch(`${t.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });

  it('carry Cache-Control: no-store, errors included', async () => {
    const agent = await signUp(t);
    const answers = [
      await post(JSON.stringify({ query: print(SignInDocument), variables: { email: agent.email, password: agent.password } })), // a token
      await post(JSON.stringify({ query: print(MeDocument) }), { authorization: `Bearer ${agent.token}` }),
      await post(JSON.stringify({ query: print(SignInDocument), variables: { email: agent.email, password: 'wrong password' } })), // a domain error
      await post(JSON.stringify({ query: '{ me { nope } }' })), // a validation error (400)
      await post('{ not json'), // a body that is not JSON (400)
      await post(JSON.stringify({ query: `{ me { id } }`, padding: 'x'.repeat(200 * 1024) })), // too large (413)
      await fetch(`${t.url}/graphql?query=${encodeURIComponent('{ me { id } }')}`, { headers: { 'apollo-require-preflight': 'true' } }), // a GET
      await fetch(`${t.url}/graphql`, { method: 'OPTIONS', headers: { origin: 'https://elsewhere.example', 'access-control-request-method': 'POST' } }),
    ];
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 400, 400, 413, 200, 204]);
    for (const answer of answers) expect(answer.headers.get('cache-control'), String(answer.status)).toBe('no-store');
  });

  it('refuse automatic persisted queries: a hash alone, or a query with its hash, runs nothing', async () => {
    const query = '{ __typename }';
    const sha256Hash = createHash('sha256').update(query).digest('hex');
    const extensions = { persistedQuery: { version: 1, sha256Hash } };
    for (const body of [{ extensions }, { query, extensions }, { extensions }]) {
      const answer = await post(JSON.stringify(body));
      const json = (await answer.json()) as { data?: unknown; errors?: Array<{ extensions?: { code?: string } }> };
      expect(json.data ?? null).toBeNull();
      expect(json.errors?.[0]?.extensions?.code).toBe('PERSISTED_QUERY_NOT_SUPPORTED');
    }
  });
});
