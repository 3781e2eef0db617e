// A transaction whose every statement succeeded on its node, yet whose COMMIT loses certification to a
// conflicting commit on another node: the gateway must run the whole unit of work again, not fail the request.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { loadConfig } from '../../src/config';
import { Database, openDatabase, sqlExecute, sqlRows } from '../../src/db/database';
import { inOneRoundTrip } from '../../src/db/one-round-trip';
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

it('sends a one-round-trip batch statement by statement on a Galera node, to the same effect', async () => {
  const counter = async () => Number((await sqlRows<{ n: number }>(onNode2.manager, 'SELECT n FROM counters WHERE id = 1'))[0].n);
  const questions = async () => Number((await onNode2.manager.query("SHOW GLOBAL STATUS LIKE 'Questions'"))[0].Value);
  const add = (n: number, condition = 'TRUE') => ({ sql: `UPDATE counters SET n = n + ? WHERE id = 1 AND ${condition}`, params: [n] });
  const start = await counter();

  const before = await questions();
  const all = await inOneRoundTrip(onNode2, { guarded: [add(1), add(2)], then: [add(4)] }, () => 'committed', async () => 'otherwise');
  // START TRANSACTION, three UPDATEs, COMMIT and this SHOW each reached the server; a compound statement is one.
  expect((await questions()) - before).toBeGreaterThanOrEqual(6);
  expect(all).toBe('committed');
  expect(await counter()).toBe(start + 7);

  const missed = await inOneRoundTrip(onNode2, { guarded: [add(1), add(2, 'n < 0')], then: [add(4)] }, () => -1, async (tx, changed) => {
    await sqlExecute(tx, 'UPDATE counters SET n = n + 8 WHERE id = 1');
    return changed;
  });
  expect(missed).toBe(1); // the first guarded statement changed its row, the second did not: `then` never ran
  expect(await counter()).toBe(start + 7 + 1 + 8);
});
