import { existsSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { GaleraCluster, NODES } from './galera/cluster';

/*
 * npm run cluster                 starts a 3-node MariaDB Galera cluster on loopback and prints its DATABASE_URLs
 * npm run cluster -- --haproxy    the same, with HAProxy on 127.0.0.1:3320 in front of the three nodes
 * npm run cluster -- --stop       stops it and removes its folder
 * The cluster lives in $GALERA_DIR (default: <tmp>/tenant-2fa-gateway-galera). See docs/scaling.md.
 */
const ROOT = process.env.GALERA_DIR || path.join(os.tmpdir(), 'tenant-2fa-gateway-galera');
const args = new Set(process.argv.slice(2));

async function main(): Promise<void> {
  const running = GaleraCluster.find(ROOT);
  if (args.has('--stop')) {
    if (!running) return console.log(`no cluster in ${ROOT}`);
    await running.stop();
    return console.log(`cluster stopped and ${ROOT} removed`);
  }
  if (running) throw new Error(`a cluster is already set up in ${ROOT}: stop it first with npm run cluster -- --stop`);
  if (existsSync(ROOT)) {
    // The logs a failed start left behind; anything else is not ours to remove.
    const leftovers = /^(node[123]|haproxy\.(cfg|log)|wsrep-ready-check\.sh)$/;
    if (!readdirSync(ROOT).every((name) => leftovers.test(name))) throw new Error(`${ROOT} exists and is not a cluster folder: set GALERA_DIR elsewhere`);
    rmSync(ROOT, { recursive: true, force: true });
  }
  const cluster = new GaleraCluster(ROOT);
  const started = Date.now();
  try {
    await cluster.start({ haproxy: args.has('--haproxy'), log: (line) => console.log(line) });
  } catch (error) {
    await cluster.stop({ keepLogs: true });
    throw new Error(`${(error as Error).message}\n(the logs stay in ${ROOT})`);
  }
  console.log(`\nGalera cluster of 3 up in ${((Date.now() - started) / 1000).toFixed(0)} s (folder ${ROOT}). Create a database once, on any node:`);
  console.log(`  mariadb -h 127.0.0.1 -P 3311 -u root -e 'CREATE DATABASE gateway CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci'`);
  console.log('then start one gateway per node:');
  for (const node of NODES) console.log(`  DATABASE_URL=${cluster.url(node, 'gateway')}`);
  if (args.has('--haproxy')) console.log(`or any number through HAProxy:\n  DATABASE_URL=${cluster.url('haproxy', 'gateway')}`);
  console.log('Stop it with: npm run cluster -- --stop');
}

main().catch((error) => {
  console.error((error as Error).message);
  process.exit(1);
});
