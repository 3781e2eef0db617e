// Threat: one request, signed in or not, that ends the gateway process for everyone.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databaseKinds, scratchDatabase, ScratchDatabase } from '../helpers/databases';
import { freePort, GatewayProcess, PROCESS_LEVEL_DEFECT, productionEnv, sleep, spawnGateway } from './harness';

describe.each(databaseKinds)('no request stops the gateway process (production, own process) on %s', (kind) => {
  let database: ScratchDatabase;
  let gateway: GatewayProcess;
  beforeAll(async () => {
    database = await scratchDatabase(kind);
    gateway = await spawnGateway(productionEnv(database, { LOG_LEVEL: 'error' }), await freePort());
  });
  afterAll(async () => {
    const exitCode = await gateway?.stop();
    await database?.drop();
    expect(exitCode).toBe(0);
  });

  it('answers an unauthenticated createTenant with a blank name UNAUTHENTICATED, then serves on', async () => {
    // Exactly what was reported: the argument's validation was started, then the missing session threw.
    const response = await fetch(`${gateway.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"query":"mutation{ createTenant(name:\\"\\"){ id } }"}',
    });
    const body = (await response.json()) as { errors: Array<{ extensions: { code: string } }> };
    expect(response.status).toBe(200);
    expect(body.errors.map((e) => e.extensions.code)).toEqual(['UNAUTHENTICATED']);

    await sleep(300); // the abandoned rejection surfaced a few ticks after the answer
    expect(gateway.child.exitCode).toBeNull();
    expect((await fetch(`${gateway.url}/healthz`)).status).toBe(200);
    // Fixed at the cause: the logging handler in main.ts (the second line) never had to catch anything.
    expect(gateway.output()).not.toMatch(PROCESS_LEVEL_DEFECT);
  });
});
