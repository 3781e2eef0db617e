import BetterSqlite3 from 'better-sqlite3';
import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';

/**
 * The same for gateways sharing one SQLite file: an exclusive transaction held on a lock file beside it (its own
 * small SQLite database) for as long as `work` runs. SQLite's file locks belong to the process, so a gateway that
 * dies releases it at once; the others poll for it (SQLite's own busy wait would block the event loop). The lock
 * is not taken on the database itself, whose own writes the migrations need.
 */
export async function withSqliteMigrationLock<T>(databaseFile: string, work: () => Promise<T>): Promise<T> {
  const lock = new BetterSqlite3(`${databaseFile}.migration-lock`, { timeout: 0 });
  try {
    const waitUntil = Date.now() + WAIT_LIMIT_MS;
    for (;;) {
      try {
        lock.exec('BEGIN EXCLUSIVE');
        break;
      } catch (error) {
        if ((error as { code?: string }).code !== 'SQLITE_BUSY') throw error;
        if (Date.now() > waitUntil) throw new Error('timed out waiting for another gateway to finish migrating');
        await new Promise((resolve) => setTimeout(resolve, POLL_MS + Math.random() * POLL_MS));
      }
    }
    return await work();
  } finally {
    lock.close(); // ends the transaction: the next gateway goes on
  }
}

/*
 * The lock that lets one gateway at a time run the migrations on MySQL/MariaDB, a Galera cluster included.
 *
 * Not GET_LOCK: a named lock belongs to one server, and on Galera every node has its own, so gateways starting
 * together on different nodes would all take "the" lock and all migrate (the second then fails on a table the
 * first created). This lock is a row, and taking it is a write, which Galera certifies cluster-wide like any
 * other: of two gateways inserting the row at once, on one node or on two, exactly one commit succeeds; the
 * other meets a duplicate key, or fails certification (a deadlock error), and waits.
 *
 * The row carries an expiry in the database's clock. Its holder pushes the expiry forward while it works, so
 * a gateway that dies holding the lock holds up the others for at most LEASE_SECONDS, after which the next one
 * takes the lock over with a conditional update (again one winner). The table is made with CREATE TABLE IF NOT
 * EXISTS before any migration runs (it cannot be a migration: it guards them); it holds a row only while a
 * gateway migrates.
 */

const TABLE = 'migration_locks';
const LOCK_NAME = 'migrations';
const LEASE_SECONDS = 30;
const RENEW_EVERY_MS = 5_000;
const POLL_MS = 250;
const WAIT_LIMIT_MS = 180_000;

/** Runs `work` while holding the cluster-wide migration lock; waits for it first if another gateway holds it. */
export async function withMigrationLock<T>(dataSource: DataSource, work: () => Promise<T>): Promise<T> {
  await dataSource.query(
    `CREATE TABLE IF NOT EXISTS ${TABLE} (name varchar(64) NOT NULL PRIMARY KEY, holder varchar(36) NOT NULL, expires_at datetime(3) NOT NULL)`,
  );
  const holder = randomUUID();
  const waitUntil = Date.now() + WAIT_LIMIT_MS;
  while (!(await tryAcquire(dataSource, holder))) {
    if (Date.now() > waitUntil) throw new Error('timed out waiting for another gateway to finish migrating');
    await new Promise((resolve) => setTimeout(resolve, POLL_MS + Math.random() * POLL_MS));
  }
  let lost = false;
  const renewal = setInterval(() => {
    changedRows(dataSource, `UPDATE ${TABLE} SET expires_at = NOW(3) + INTERVAL ${LEASE_SECONDS} SECOND WHERE name = ? AND holder = ?`, [LOCK_NAME, holder]).then(
      (changed) => (lost ||= changed === 0),
      () => undefined, // a missed renewal is made up by the next; the lease outlasts several
    );
  }, RENEW_EVERY_MS);
  try {
    const result = await work();
    if (lost) throw new Error('the migration lock expired while migrating (the database stalled for longer than its lease)');
    return result;
  } finally {
    clearInterval(renewal);
    await dataSource.query(`DELETE FROM ${TABLE} WHERE name = ? AND holder = ?`, [LOCK_NAME, holder]);
  }
}

/** Takes the lock if nobody holds it, or if its holder's lease ran out; false when another gateway holds it. */
async function tryAcquire(dataSource: DataSource, holder: string): Promise<boolean> {
  try {
    await dataSource.query(`INSERT INTO ${TABLE} (name, holder, expires_at) VALUES (?, ?, NOW(3) + INTERVAL ${LEASE_SECONDS} SECOND)`, [LOCK_NAME, holder]);
    return true;
  } catch (error) {
    if (!isLostRace(error)) throw error;
  }
  try {
    const sql = `UPDATE ${TABLE} SET holder = ?, expires_at = NOW(3) + INTERVAL ${LEASE_SECONDS} SECOND WHERE name = ? AND expires_at < NOW(3)`;
    return (await changedRows(dataSource, sql, [holder, LOCK_NAME])) === 1;
  } catch (error) {
    if (isLostRace(error)) return false;
    throw error;
  }
}

/** Another gateway's row came first: a duplicate key, or (on Galera) a failed certification. */
function isLostRace(error: unknown): boolean {
  const code = (error as { driverError?: { code?: string }; code?: string })?.driverError?.code ?? (error as { code?: string })?.code;
  return code === 'ER_DUP_ENTRY' || code === 'ER_LOCK_DEADLOCK' || code === 'ER_LOCK_WAIT_TIMEOUT';
}

async function changedRows(dataSource: DataSource, sql: string, params: unknown[]): Promise<number> {
  const runner = dataSource.createQueryRunner();
  try {
    return (await runner.query(sql, params, true)).affected ?? 0;
  } finally {
    await runner.release();
  }
}
