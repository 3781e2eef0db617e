// SQLite commits the writes that queue up together: a unit must still fail alone, never be announced before its
// COMMIT, and be retried or failed as a lone transaction would when the group's transaction is lost.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { Database, openDatabase, sqlExecute, sqlRows } from '../../src/db/database';
import { DomainError } from '../../src/errors/domain-error';
import { StatementCounter } from '../helpers/statement-counter';

let dir: string;
let file: string;
let db: Database;
let log: StatementCounter & { commits: number };
/** A second connection to the file, as another process would have: it sees committed rows only. */
let other: BetterSqlite3.Database;

class CommitCounter extends StatementCounter {
  commits = 0;
  override logQuery(query: string): void {
    if (query === 'COMMIT') this.commits++;
    super.logQuery(query);
  }
}

beforeEach(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'group-commit-'));
  file = path.join(dir, 'db.sqlite');
  log = new CommitCounter();
  db = await openDatabase({ kind: 'sqlite', file }, { logger: log });
  await db.manager.query('CREATE TABLE rows_ (k TEXT PRIMARY KEY)');
  await db.manager.query('CREATE TABLE parents (id TEXT PRIMARY KEY)');
  await db.manager.query('CREATE TABLE children (id TEXT PRIMARY KEY, parent_id TEXT REFERENCES parents (id) DEFERRABLE INITIALLY DEFERRED)');
  other = new BetterSqlite3(file);
  log.reset();
  log.commits = 0;
});

afterEach(async () => {
  other.close();
  await db.close();
  rmSync(dir, { recursive: true, force: true });
});

const insert = (k: string) => db.transaction((tx) => sqlExecute(tx, 'INSERT INTO rows_ (k) VALUES (?)', [k]));
const committed = (k: string) => Boolean(other.prepare('SELECT 1 FROM rows_ WHERE k = ?').get(k));
const stored = async () => (await sqlRows<{ k: string }>(db.manager, 'SELECT k FROM rows_ ORDER BY k')).map((row) => row.k);

it('writes that wait for their turn share one COMMIT, and none is announced before it', async () => {
  const keys = Array.from({ length: 12 }, (_, i) => `k${String(i).padStart(2, '0')}`);
  const seenAtResolve = await Promise.all(keys.map((k) => insert(k).then(() => committed(k))));
  expect(seenAtResolve).toEqual(keys.map(() => true));
  expect(log.commits).toBeLessThan(keys.length);
  expect(await stored()).toEqual(keys);
});

it('a failing unit among successful ones rolls back alone, first or later in the group', async () => {
  const failing = (k: string) =>
    db.transaction(async (tx) => {
      await sqlExecute(tx, 'INSERT INTO rows_ (k) VALUES (?)', [k]);
      throw new DomainError('NOT_FOUND');
    });
  const duplicate = () => db.transaction((tx) => sqlExecute(tx, 'INSERT INTO rows_ (k) VALUES (?)', ['a']));
  const results = await Promise.allSettled([failing('first'), insert('a'), failing('middle'), duplicate(), insert('b'), db.autocommit((m) => sqlExecute(m, 'INSERT INTO rows_ (k) VALUES (?)', ['c']))]);
  expect(results.map((r) => r.status)).toEqual(['rejected', 'fulfilled', 'rejected', 'rejected', 'fulfilled', 'fulfilled']);
  expect((results[0] as PromiseRejectedResult).reason).toBeInstanceOf(DomainError);
  expect(String((results[3] as PromiseRejectedResult).reason)).toMatch(/UNIQUE/);
  expect(await stored()).toEqual(['a', 'b', 'c']);
  expect(['a', 'b', 'c'].every(committed)).toBe(true);
});

it('a failing COMMIT fails every unit of the group, and none of their writes stays', async () => {
  // A deferred foreign key is checked at COMMIT; the units queued behind the first share its transaction.
  const orphan = db.transaction((tx) => sqlExecute(tx, 'INSERT INTO children (id, parent_id) VALUES (?, ?)', ['c1', 'missing']));
  const results = await Promise.allSettled([orphan, insert('x'), insert('y')]);
  expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected', 'rejected']);
  for (const r of results) expect(String((r as PromiseRejectedResult).reason)).toMatch(/FOREIGN KEY/);
  expect(await stored()).toEqual([]);
  expect(committed('x')).toBe(false);
  // The writer goes on: the next write commits.
  await insert('after');
  expect(committed('after')).toBe(true);
});

it('a unit that hits SQLITE_BUSY_SNAPSHOT loses the group: every unit of it runs again, and commits once', async () => {
  const runs = { reader: 0, writer: 0 };
  const reader = db.transaction(async (tx) => {
    runs.reader++;
    return sqlRows(tx, 'SELECT COUNT(*) AS n FROM rows_');
  });
  const writer = db.transaction(async (tx) => {
    runs.writer++;
    await sqlRows(tx, 'SELECT k FROM rows_');
    // Another process writes after this transaction's first read, on the first run only.
    if (runs.writer === 1) other.prepare('INSERT INTO rows_ (k) VALUES (?)').run('theirs');
    return sqlExecute(tx, 'INSERT INTO rows_ (k) VALUES (?)', ['mine']);
  });
  await expect(Promise.all([reader, writer])).resolves.toEqual([[{ n: 1 }], 1]);
  expect(runs).toEqual({ reader: 2, writer: 2 });
  expect(await stored()).toEqual(['mine', 'theirs']);
});

it('closing waits for the writes already handed in', async () => {
  const slow = db.transaction(async (tx) => {
    await new Promise((resolve) => setTimeout(resolve, 50));
    return sqlExecute(tx, 'INSERT INTO rows_ (k) VALUES (?)', ['slow']);
  });
  const queued = insert('queued');
  await db.close();
  await expect(Promise.all([slow, queued])).resolves.toEqual([1, 1]);
  expect(committed('slow') && committed('queued')).toBe(true);
  db = await openDatabase({ kind: 'sqlite', file }); // for afterEach
});
