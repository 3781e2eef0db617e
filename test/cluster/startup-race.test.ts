// Three gateways deployed at once, one on each node of a Galera cluster, all migrating an empty database.
import { afterAll, expect, it } from 'vitest';
import { migrations } from '../../migrations';
import type { GatewayProcess } from '../hardening/harness';
import { mysqlReader } from '../hardening/harness';
import { ClusterDatabase, clusterDatabase, gatewaysOn, theCluster } from './galera';

const cluster = theCluster();
let database: ClusterDatabase;
let gateways: GatewayProcess[] = [];

afterAll(async () => {
  await Promise.all(gateways.map((g) => g.stop()));
  await database?.drop();
});

it('brings up three gateways started together on three nodes, and runs each migration once', async () => {
  database = await clusterDatabase(cluster);
  gateways = await gatewaysOn(database, [1, 2, 3]);
  for (const gateway of gateways) expect((await fetch(`${gateway.url}/healthz`)).status).toBe(200);

  const reader = await mysqlReader(database.on(3).url!);
  try {
    const ran = await reader.query('SELECT name FROM migrations ORDER BY id');
    expect(ran.map((r) => r.name)).toEqual(migrations.map((m) => m.name));
    expect(await reader.query('SELECT * FROM migration_locks')).toEqual([]); // released
  } finally {
    await reader.close();
  }
});
