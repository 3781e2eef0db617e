import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { inject } from 'vitest';
import { createConnection } from 'mysql2/promise';
import { GaleraCluster, NodeNumber, NODES } from '../../scripts/galera/cluster';
import type { Clock } from '../../src/clock';
import type { GraphQLClient } from '../helpers/client';
import type { ScratchDatabase } from '../helpers/databases';
import type { TestGateway } from '../helpers/gateway';
import { freePort, GatewayProcess, productionEnv, spawnGateway } from '../hardening/harness';

/** The cluster the global setup started (see global-setup.ts). */
export function theCluster(): GaleraCluster {
  const cluster = GaleraCluster.find(inject('galeraRoot'));
  if (!cluster) throw new Error('no Galera cluster: run these tests with npm run test:cluster');
  return cluster;
}

/** A scratch database on the cluster (created on node 1, replicated to all), reachable through each node. */
export interface ClusterDatabase {
  name: string;
  /** The scratch database as seen through one node, or through HAProxy. */
  on(node: NodeNumber | 'haproxy'): ScratchDatabase;
  drop(): Promise<void>;
}

export async function clusterDatabase(cluster: GaleraCluster): Promise<ClusterDatabase> {
  const name = `cluster_${randomBytes(4).toString('hex')}`;
  await sql(cluster.url(1), `CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
  // The gateways' DATA_DIR: production-mode test gateways write their e-mails there (MAIL_DELIVERY=files).
  const dataDir = mkdtempSync(path.join(tmpdir(), 'gateway-cluster-'));
  const drop = async () => {
    await sql(cluster.url(1), `DROP DATABASE IF EXISTS \`${name}\``);
    rmSync(dataDir, { recursive: true, force: true });
  };
  return {
    name,
    on: (node) => ({ url: cluster.url(node, name), dataDir, drop }),
    drop,
  };
}

async function sql(url: string, statement: string): Promise<void> {
  const connection = await createConnection({ uri: url });
  try {
    await connection.query(statement);
  } finally {
    await connection.end();
  }
}

/** Production gateway processes, one per listed node (or HAProxy), started at the same moment. */
export function gatewaysOn(database: ClusterDatabase, nodes: Array<NodeNumber | 'haproxy'>, env: Record<string, string> = {}): Promise<GatewayProcess[]> {
  return Promise.all(nodes.map(async (node) => spawnGateway(productionEnv(database.on(node), env), await freePort())));
}

/**
 * The shared fixtures (test/helpers) take a TestGateway for its client and its clock; gateway processes run on
 * the real clock, so this one reads the time and never moves it.
 */
export function realClockGateway(client: GraphQLClient): TestGateway {
  const realClock: Clock & { epochMs: number; advance(): void } = {
    now: () => new Date(),
    get epochMs() {
      return Date.now();
    },
    advance: () => undefined,
  };
  return { client, clock: realClock } as unknown as TestGateway;
}

/**
 * Certification conflicts across the cluster: transactions a node aborted because a conflicting one committed
 * first elsewhere (brute-force aborts of local transactions, and local commits that failed certification).
 * Each is one deadlock error that the gateway retried.
 */
export async function conflictCount(cluster: GaleraCluster): Promise<number> {
  const statuses = await Promise.all(NODES.map((node) => cluster.status(node)));
  return statuses.reduce((sum, s) => sum + Number(s.wsrep_local_bf_aborts) + Number(s.wsrep_local_cert_failures), 0);
}
