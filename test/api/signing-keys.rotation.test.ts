import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MintAccessTokenDocument } from '../../src/client/generated/graphql';
import { PUBLICATION_DELAY_MS, RETIRED_KEY_GRACE_MS } from '../../src/tokens/key-timeline';
import { jwksKids, kidOf, TOKEN_ENV, verifyWithJwks } from '../helpers/access-tokens';
import type { GraphQLClient } from '../helpers/client';
import { databaseKinds } from '../helpers/databases';
import { createTenant, TestTenant } from '../helpers/fixtures';
import { startTestGateway, TestGateway } from '../helpers/gateway';

const DAY_MS = 86_400_000;

// Threat: a key rotation that breaks the tokens already out, signs before verifiers can know the key, or leaves two
// processes signing with keys the other does not publish.
describe.each(databaseKinds)('signing key rotation on %s', (kind) => {
  let t: TestGateway;
  let peer: Awaited<ReturnType<TestGateway['startPeer']>>;
  let tenant: TestTenant;
  beforeAll(async () => {
    t = await startTestGateway(kind, { ...TOKEN_ENV, SIGNING_KEY_MAX_AGE_DAYS: '1', ACCESS_TOKEN_TTL_SECONDS: '300', SESSION_TTL_HOURS: '72' });
    peer = await t.startPeer(); // another gateway instance on the same database and clock, as a second process
    tenant = await createTenant(t);
  });
  afterAll(() => t?.close());

  const mintVia = async (client: GraphQLClient) => (await client.withToken(tenant.owner.token).ok(MintAccessTokenDocument, { tenantId: tenant.id })).mintAccessToken.token;
  const keyRows = async () => (await t.gateway.db.manager.query('SELECT id FROM signing_keys ORDER BY generation')).map((row: { id: string }) => row.id) as string[];
  const verifies = (token: string, via: { url: string } = t) => verifyWithJwks({ ...t, url: via.url }, token).then(() => true, () => false);

  it('publishes the next key before it signs, keeps the old one until its last token expired, and both processes follow the same keys', async () => {
    const first = kidOf(await mintVia(t.client));
    expect(await keyRows()).toEqual([first]);
    expect(await jwksKids(t.url)).toEqual([first]);

    // SIGNING_KEY_MAX_AGE_DAYS later, both processes find the key old at once: one next key is made.
    t.clock.advance(DAY_MS);
    const [viaMain, viaPeer] = await Promise.all([mintVia(t.client), mintVia(peer.client)]);
    const rotatedAt = t.clock.epochMs;
    const keys = await keyRows();
    expect(keys).toHaveLength(2);
    const next = keys[1];
    // Published at once, by both, and not signing yet.
    expect(await jwksKids(t.url)).toEqual([first, next]);
    expect(await jwksKids(peer.url)).toEqual([first, next]);
    expect([kidOf(viaMain), kidOf(viaPeer)]).toEqual([first, first]);

    // The last tokens of the old key, a moment before the new one takes over.
    t.clock.advance(PUBLICATION_DELAY_MS - 1000);
    const lastOfOld = [await mintVia(t.client), await mintVia(peer.client)];
    expect(lastOfOld.map(kidOf)).toEqual([first, first]);
    t.clock.advance(1000);
    const firstOfNew = [await mintVia(t.client), await mintVia(peer.client)];
    expect(firstOfNew.map(kidOf)).toEqual([next, next]);
    // Every token verifies against either process's JWKS.
    for (const token of [...lastOfOld, ...firstOfNew]) {
      expect(await verifies(token, t)).toBe(true);
      expect(await verifies(token, peer)).toBe(true);
    }

    // The old key's last tokens live 300 s; its key stays listed until then plus the clock skew allowance.
    t.clock.advance(298_000); // minted 1 s before the new key took over: 299 s old
    expect(await verifies(lastOfOld[0])).toBe(true);
    t.clock.advance(1000);
    expect(await verifies(lastOfOld[0])).toBe(false);
    expect(t.clock.epochMs).toBeLessThan(rotatedAt + PUBLICATION_DELAY_MS + RETIRED_KEY_GRACE_MS);
    expect(await jwksKids(t.url)).toEqual([first, next]);
    t.clock.advance(rotatedAt + PUBLICATION_DELAY_MS + RETIRED_KEY_GRACE_MS - t.clock.epochMs);
    expect(await jwksKids(t.url)).toEqual([next]);
    expect(await jwksKids(peer.url)).toEqual([next]);
    expect(await verifies(await mintVia(peer.client))).toBe(true);

    // The next rotation drops the row of the key no verifier needs any more, private half included.
    t.clock.advance(DAY_MS);
    await mintVia(peer.client);
    const afterSecond = await keyRows();
    expect(afterSecond).toHaveLength(2);
    expect(afterSecond[0]).toBe(next);
    expect(afterSecond).not.toContain(first);
  });

  it('serves the JWKS as public, cacheable for at most 5 minutes, with the public halves only', async () => {
    const response = await fetch(`${t.url}/.well-known/jwks.json`);
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('public, max-age=300');
    const { keys } = (await response.json()) as { keys: Array<Record<string, unknown>> };
    expect(keys.length).toBeGreaterThan(0);
    for (const key of keys) {
      expect(Object.keys(key).sort()).toEqual(['alg', 'crv', 'kid', 'kty', 'use', 'x', 'y']);
      expect(key).toMatchObject({ kty: 'EC', crv: 'P-256', alg: 'ES256', use: 'sig' });
    }
    expect((await fetch(`${t.url}/.well-known/jwks.json`, { method: 'POST' })).status).toBe(405);
  });
});
