// Verify (valid TOTP answers) and gate (entering a workspace the session already stands in) throughput with
// three gateways on one Galera node against the same three gateways spread over three nodes, measured in one
// run on this machine and reported as ratios (docs/scaling.md). Uses the bench's seed, scenarios and load.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { BenchRequest, median, runOnce } from '../../bench/lib/load';
import { expect as answers, gateRequests, ValidCodeDispenser } from '../../bench/lib/scenarios';
import { Fixture, seedTenant } from '../../bench/lib/seed';
import { loadConfig } from '../../src/config';
import { openDatabase } from '../../src/db/database';
import { GatewayProcess, productionEnv } from '../hardening/harness';
import { ClusterDatabase, clusterDatabase, gatewaysOn, theCluster } from './galera';

const cluster = theCluster();
const WARMUP_S = 1;
const MEASURE_S = 3;
const REPS = 2;
const CONNECTIONS_PER_GATEWAY = 8;

let database: ClusterDatabase;
let gateways: GatewayProcess[] = [];
let fixture: Fixture;

beforeAll(async () => {
  database = await clusterDatabase(cluster);
  const config = loadConfig(productionEnv(database.on(1)));
  const db = await openDatabase(config.database);
  try {
    await db.migrate();
    fixture = await seedTenant(db, config.encryptionKeys, {
      agents: 10_000, // 30,000 valid answers: more than an idle machine spends in the 14 s of verify load
      validChallengesPerAgent: 3,
      wrongChallengesPerAgent: 0,
      gateSessions: 256,
      signInAgents: 0,
      cursorDepth: 0.8,
    });
  } finally {
    await db.close();
  }
  // Gateways 0-2 on node 1, gateway 3 on node 2, gateway 4 on node 3.
  gateways = await gatewaysOn(database, [1, 1, 1, 2, 3]);
}, 300_000);
afterAll(async () => {
  await Promise.all(gateways.map((g) => g.stop()));
  await database?.drop();
});

const layouts = {
  'one node': () => [gateways[0], gateways[1], gateways[2]],
  'three nodes': () => [gateways[0], gateways[3], gateways[4]],
};
type Layout = keyof typeof layouts;

/** Requests per second that three gateways answered as expected, loaded at once for `seconds`. */
async function rate(layout: Layout, scenario: string, seconds: number, next: () => BenchRequest | null): Promise<number> {
  const check = answers.granted;
  const results = await Promise.all(
    layouts[layout]().map((g) => runOnce({ name: `${scenario} on ${layout}`, url: g.url, connections: CONNECTIONS_PER_GATEWAY, next, check }, seconds)),
  );
  for (const r of results) {
    expect(r.bad, r.sampleBad).toBe(0);
    expect(r.exhausted).toBe(false);
  }
  return results.reduce((sum, r) => sum + r.rps, 0);
}

it('measures verify and gate on three nodes against one, in the same run', async () => {
  const valid = new ValidCodeDispenser(fixture.validPool);
  const gate = gateRequests(fixture);
  const report: string[] = [];
  for (const [scenario, next] of [
    ['verify', () => valid.request()],
    ['gate', gate],
  ] as const) {
    const rps: Record<Layout, number[]> = { 'one node': [], 'three nodes': [] };
    for (const layout of Object.keys(layouts) as Layout[]) await rate(layout, scenario, WARMUP_S, next);
    // Alternating layouts, so drift in the machine's speed hits both alike.
    for (let rep = 0; rep < REPS; rep++) {
      for (const layout of Object.keys(layouts) as Layout[]) rps[layout].push(await rate(layout, scenario, MEASURE_S, next));
    }
    const [one, three] = [median(rps['one node']), median(rps['three nodes'])];
    report.push(`${scenario}: one node ${one.toFixed(0)} req/s, three nodes ${three.toFixed(0)} req/s, ratio ${(three / one).toFixed(2)}`);
    expect(one).toBeGreaterThan(0);
    expect(three).toBeGreaterThan(0);
  }
  console.log(`throughput, 3 gateways × ${CONNECTIONS_PER_GATEWAY} connections, median of ${REPS} × ${MEASURE_S} s:\n  ${report.join('\n  ')}`);
});
