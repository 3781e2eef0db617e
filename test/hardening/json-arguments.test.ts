// Threat: a JSONObject argument deep or large enough to exhaust the stack or the CPU of whatever walks it (a
// 10 KB nested array in verifyPasskey overflowed JSON.stringify: HTTP 500).
import { print } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FinishPasskeyRegistrationDocument, VerifyPasskeyDocument } from '../../src/client/generated/graphql';
import type { GraphQLResponse } from '../helpers/client';
import { databaseKinds } from '../helpers/databases';
import { createTenant, TestTenant } from '../helpers/fixtures';
import type { TestGateway } from '../helpers/gateway';
import { databaseSnapshot } from '../helpers/snapshot';
import { challengedSession, EnrolledAgent, enrolledAgent } from '../helpers/two-factor';
import { INTERNALS, startProductionGateway } from './harness';

/** `[[[…]]]` nested `depth` deep, built as text so that building it overflows nothing here either. */
const nestedArrayText = (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`;

const HOSTILE: Array<[string, () => string]> = [
  ['an array nested 20,000 deep (40 KB)', () => `{"id":"x","response":${nestedArrayText(20_000)}}`],
  ['objects nested 1,000 deep', () => `{"id":"x","response":${'{"a":'.repeat(1000)}1${'}'.repeat(1000)}}`],
  ['one level past the depth limit', () => `{"id":"x","response":${'['.repeat(16)}${']'.repeat(16)}}`],
  ['a 90 KB string', () => JSON.stringify({ id: 'x', response: { clientDataJSON: 'A'.repeat(90_000) } })],
  ['8,000 keys (72 KB)', () => JSON.stringify({ id: 'x', response: Object.fromEntries(Array.from({ length: 8_000 }, (_, i) => [`k${i}`, 0])) })],
];

function expectBadUserInput(response: GraphQLResponse<unknown>) {
  expect(response.status, JSON.stringify(response).slice(0, 500)).toBeLessThan(500);
  expect(response.data ?? null).toBeNull();
  expect(response.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  expect(response.errors?.[0]?.message).toMatch(/credential/);
  expect(JSON.stringify(response)).not.toMatch(INTERNALS);
}

describe.each(databaseKinds)('JSONObject arguments in production on %s', (kind) => {
  let t: TestGateway;
  let tenant: TestTenant;
  let enrolled: EnrolledAgent;
  beforeAll(async () => {
    t = await startProductionGateway(kind);
    tenant = await createTenant(t, { twoFactor: true });
    enrolled = await enrolledAgent(t, tenant);
  });
  afterAll(() => t?.close());

  /** The body as text: the nesting is sent exactly as written. */
  const send = (token: string, query: string, variablesJson: string) =>
    fetch(`${t.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: `{"query":${JSON.stringify(query)},"variables":${variablesJson}}`,
    }).then(async (response) => ({ status: response.status, ...((await response.json()) as object) }) as GraphQLResponse<unknown>);

  it.each(HOSTILE)('answers verifyPasskey with %s as BAD_USER_INPUT before anything runs, and spends no attempt', async (_label, credential) => {
    const { session, challengeId } = await challengedSession(t, enrolled.agent, tenant.secureWorkspaceId);
    const before = await databaseSnapshot(t);
    expectBadUserInput(await send(session.token, print(VerifyPasskeyDocument), `{"challengeId":"${challengeId}","credential":${credential()}}`));
    expect(await databaseSnapshot(t)).toBe(before);
  });

  it.each(HOSTILE)('answers finishPasskeyRegistration with %s as BAD_USER_INPUT', async (_label, credential) => {
    expectBadUserInput(await send(enrolled.agent.token, print(FinishPasskeyRegistrationDocument), `{"tenantId":"${tenant.id}","name":"Key","credential":${credential()}}`));
  });

  it('bounds a JSONObject written into the document too', async () => {
    const { session, challengeId } = await challengedSession(t, enrolled.agent, tenant.secureWorkspaceId);
    const deep = `{id: "x", response: ${'{a: '.repeat(100)}1${'}'.repeat(100)}}`;
    expectBadUserInput(await send(session.token, `mutation { verifyPasskey(challengeId: "${challengeId}", credential: ${deep}) { status } }`, '{}'));
  });

  it('lets a WebAuthn-shaped credential through to the factor, which judges it', async () => {
    const { session, challengeId } = await challengedSession(t, enrolled.agent, tenant.secureWorkspaceId);
    const credential = { id: 'abc', rawId: 'abc', type: 'public-key', response: { clientDataJSON: 'e30', authenticatorData: 'AA', signature: 'AA', userHandle: null }, clientExtensionResults: { credProps: { rk: true } } };
    const response = await session.client.request(VerifyPasskeyDocument, { challengeId, credential });
    expect(response.errors?.[0]?.extensions?.code).not.toBe('BAD_USER_INPUT');
  });
});
