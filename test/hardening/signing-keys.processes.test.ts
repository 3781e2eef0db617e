// Threat: gateway processes behind a load balancer signing with keys the others do not publish, or racing into two current keys.
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MintAccessTokenDocument } from '../../src/client/generated/graphql';
import { loadConfig } from '../../src/config';
import { Database, openDatabase } from '../../src/db/database';
import { DEFAULT_AUDIENCE, introspect, kidOf, TOKEN_ENV } from '../helpers/access-tokens';
import { GraphQLClient } from '../helpers/client';
import { databaseKinds, scratchDatabase, ScratchDatabase } from '../helpers/databases';
import { createTenant, TestTenant } from '../helpers/fixtures';
import type { TestGateway } from '../helpers/gateway';
import { ensureServerBuilt } from './build-check';
import { GatewayProcess, productionEnv, spawnGateway } from './harness';

const ISSUER = 'https://gateway.test'; // PUBLIC_URL of productionEnv

describe.each(databaseKinds)('signing keys shared by gateway processes on %s', (kind) => {
  let database: ScratchDatabase;
  let env: Record<string, string>;
  let gateways: GatewayProcess[] = [];
  let reader: Database;
  let tenant: TestTenant;
  beforeAll(async () => {
    database = await scratchDatabase(kind);
    env = productionEnv(database, TOKEN_ENV);
    // Started together on an empty database: both look for a signing key at once.
    gateways = await Promise.all([0, 1].map(() => spawnGateway(env)));
    reader = await openDatabase(loadConfig(env).database);
    tenant = await createTenant({ client: new GraphQLClient(gateways[0].url) } as TestGateway);
  });
  afterAll(async () => {
    const exitCodes = await Promise.all(gateways.map((g) => g.stop()));
    await reader?.close();
    await database?.drop();
    expect(exitCodes).toEqual(gateways.map(() => 0));
  });

  const keyRows = async () => (await reader.manager.query('SELECT id FROM signing_keys ORDER BY generation')) as Array<{ id: string }>;
  const mintAt = async (gateway: GatewayProcess) =>
    (await new GraphQLClient(gateway.url, tenant.owner.token).ok(MintAccessTokenDocument, { tenantId: tenant.id })).mintAccessToken.token;
  const verifyAt = (gateway: GatewayProcess, token: string) =>
    jwtVerify(token, createRemoteJWKSet(new URL('/.well-known/jwks.json', gateway.url)), { issuer: ISSUER, audience: DEFAULT_AUDIENCE, algorithms: ['ES256'] });

  it('end with one key when started at once, and each verifies and introspects what the other signed', async () => {
    const rows = await keyRows();
    expect(rows).toHaveLength(1);
    const tokens = [await mintAt(gateways[0]), await mintAt(gateways[1])];
    expect(tokens.map(kidOf)).toEqual([rows[0].id, rows[0].id]);
    for (const [signer, other] of [[0, 1], [1, 0]]) {
      expect((await verifyAt(gateways[other], tokens[signer])).payload.tid).toBe(tenant.id);
      expect((await introspect(gateways[other].url, tokens[signer])).body).toMatchObject({ active: true, tid: tenant.id });
    }
  });

  it('adds one key when `rotate-signing-key` runs twice at once beside them, and nothing while it waits to sign', async () => {
    ensureServerBuilt();
    const cli = path.resolve(__dirname, '../../dist/src/cli/rotate-signing-key.js');
    const rotate = async () => (await promisify(execFile)(process.execPath, [cli], { env: { PATH: process.env.PATH, ...env } })).stdout;
    const before = await keyRows();
    const outputs = await Promise.all([rotate(), rotate()]);
    const after = await keyRows();
    expect(after).toHaveLength(before.length + 1);
    const next = after[after.length - 1].id;
    // Whichever inserted first (or both at once, one insert losing on the unique generation), both name one key.
    const published = new RegExp(`key ${next} is published from \\S+ and signs from \\S+`);
    const underWay = new RegExp(`a rotation is under way \\(key ${next} signs from \\S+\\): nothing added`);
    expect(outputs.filter((output) => published.test(output)).length).toBeGreaterThanOrEqual(1);
    for (const output of outputs) {
      expect(published.test(output) || underWay.test(output), output).toBe(true);
      expect(output).toMatch(/signs until \S+ and leaves the JWKS at \S+, when its last token has expired/);
    }
    expect(await rotate()).toMatch(underWay);
    expect(await keyRows()).toHaveLength(after.length);
    // The running processes keep signing with the current key meanwhile.
    expect(kidOf(await mintAt(gateways[1]))).toBe(before[before.length - 1].id);
  });
});
