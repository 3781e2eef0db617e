// A transaction whose every statement succeeded on its node, yet whose COMMIT loses certification to a
// conflicting commit on another node: the gateway must run the whole unit of work again, not fail the request.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { loadConfig } from '../../src/config';
import { Database, openDatabase, sqlExecute, sqlRows } from '../../src/db/database';
import { productionEnv, sleep } from '../hardening/harness';
import { preparedExecutionsInTransaction } from '../helpers/statement-protocol';
import { ClusterDatabase, clusterDatabase, theCluster } from './galera';

const cluster = theCluster();
let database: ClusterDatabase;
let onNode1: Database;
let onNode2: Database;

beforeAll(async () => {
  database = await clusterDatabase(cluster);
  [onNode1, onNode2] = await Promise.all(([1, 2] as const).map((node) => openDatabase(loadConfig(productionEnv(database.on(node))).database)));
  await onNode1.manager.query('CREATE TABLE counters (id int PRIMARY KEY, n int NOT NULL)');
  await onNode1.manager.query('INSERT INTO counters VALUES (1, 0)');
});
afterAll(async () => {
  await onNode1?.close();
  await onNode2?.close();
  await database?.drop();
});

it('retries a transaction from BEGIN when its COMMIT fails certification (a deadlock error)', async () => {
  let runs = 0;
  let firstRunReturned = false;
  let updatedOnNode2!: () => void;
  const updated = new Promise<void>((resolve) => (updatedOnNode2 = resolve));
  let committedOnNode1!: () => void;
  const committed = new Promise<void>((resolve) => (committedOnNode1 = resolve));

  const slow = onNode2.transaction(async (tx) => {
    runs++;
    expect(await sqlExecute(tx, 'UPDATE counters SET n = n + 1 WHERE id = 1')).toBe(1);
    if (runs === 1) {
      updatedOnNode2();
      await committed; // node 1 commits a change of the same row meanwhile: no lock stops it there
      await sleep(300); // and node 2 applies it, aborting this transaction, which notices only at COMMIT
      firstRunReturned = true;
    }
  });
  await updated;
  await onNode1.transaction((tx) => sqlExecute(tx, 'UPDATE counters SET n = n + 10 WHERE id = 1'));
  committedOnNode1();
  await slow;

  expect(firstRunReturned).toBe(true); // the first run's statements all succeeded: it failed at COMMIT
  expect(runs).toBe(2);
  const [{ n }] = await sqlRows<{ n: number }>(onNode1.manager, 'SELECT n FROM counters WHERE id = 1');
  expect(Number(n)).toBe(11); // both changes, each once
});

it('sends the statements of a transaction as text on a Galera node, where a prepared one outlived an abort of its transaction', async () => {
  expect(await preparedExecutionsInTransaction(onNode2)).toBe(0);
});
