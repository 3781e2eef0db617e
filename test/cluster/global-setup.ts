import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { GaleraCluster } from '../../scripts/galera/cluster';

declare module 'vitest' {
  export interface ProvidedContext {
    galeraRoot: string;
  }
}

/**
 * One 3-node Galera cluster with HAProxy for the whole cluster run, in a folder of its own; stopped (and the
 * folder removed) afterwards. A cluster that cannot start fails the run: these tests are never skipped.
 */
export default async function setup(project: TestProject) {
  const cluster = new GaleraCluster(mkdtempSync(path.join(tmpdir(), 'gateway-galera-test-')));
  const started = Date.now();
  try {
    await cluster.start({ haproxy: true });
  } catch (error) {
    await cluster.stop();
    throw error;
  }
  console.log(`Galera cluster of 3 with HAProxy up in ${((Date.now() - started) / 1000).toFixed(1)} s (${cluster.root})`);
  project.provide('galeraRoot', cluster.root);
  // GALERA_KEEP_LOGS=1 keeps the nodes' logs (the processes still stop) for a look after a failure.
  return () => cluster.stop({ keepLogs: Boolean(process.env.GALERA_KEEP_LOGS) });
}
