import type { Database as SqliteConnection } from 'better-sqlite3';
import type { DataSource, EntityManager, QueryRunner } from 'typeorm';
import { directSql } from './direct-sql';

/**
 * Writes that wait for their turn are committed together: at most this many in one transaction, and no new one
 * joins after this long, so the first of a group waits at most about that long (plus the last unit's own time)
 * for its commit.
 */
const GROUP_MAX_UNITS = 32;
const GROUP_MAX_MS = 5;

/** Which failures lose only the transaction, so that running the unit again may succeed; how often; how long to wait. */
export interface RetryRule {
  covers(error: unknown): boolean;
  tries: number;
  /** Racing retries would collide again: each waits a random time. */
  pauseMs(attempt: number): number;
}

interface Unit {
  run(tx: EntityManager): Promise<unknown>;
  attempt: number;
  resolve(value: unknown): void;
  reject(error: unknown): void;
}

/**
 * SQLite's one writer, with group commit. Units of work (a transaction, or a single statement) take turns on
 * the one connection. The writes that are waiting run one after another inside one BEGIN … COMMIT, each after
 * the first in a savepoint, and the group's single COMMIT (one append to the WAL) settles them all:
 * - a unit that throws rolls back to its savepoint and fails alone; the others go on;
 * - no unit resolves before the COMMIT that holds its writes has succeeded;
 * - when the group's transaction is lost (its COMMIT fails, SQLite rolled it back, or a unit hit an error the
 *   retry rule covers, such as SQLITE_BUSY_SNAPSHOT, which only a fresh transaction can get past), the units whose
 *   error it was run again or fail by the retry rule, as a lone transaction would, and the others simply run again.
 * A unit with no one waiting beside it is a group of one: BEGIN, its work, COMMIT.
 *
 * Measured in `npm run bench` (SQLite, 32 connections): an answer takes three turns (two single statements and
 * its transaction), and their COMMITs were half of its CPU; with groups of up to 32 the answer's server CPU went
 * from 820–890 to 365–450 µs and its throughput about doubled (bench/README.md).
 *
 * Transaction control goes to the driver like the hot paths' statements (direct-sql.ts): the savepoints and the state
 * of the group are this writer's, and TypeORM's own rollback leaves its runner marked active when SQLite has
 * already rolled the transaction back. The runner is told when a transaction is open, so that the manager given
 * to a unit neither opens one of its own (`save`) nor commits it, and a nested `tx.transaction` becomes a
 * savepoint.
 */
export class SqliteWriter {
  private readonly waiting: Unit[] = [];
  private isDraining = false;
  private unsettled = 0;
  private onSettled: (() => void) | undefined;

  constructor(
    private readonly dataSource: DataSource,
    private readonly retry: RetryRule,
  ) {}

  /** Runs `work` in its turn; resolves once its writes are committed. */
  run<T>(work: (tx: EntityManager) => Promise<T>): Promise<T> {
    this.unsettled++;
    return new Promise<T>((resolve, reject) => {
      const settled = () => {
        if (--this.unsettled === 0) this.onSettled?.();
      };
      this.push({
        run: work,
        attempt: 1,
        resolve: (value) => {
          settled();
          resolve(value as T);
        },
        reject: (error) => {
          settled();
          reject(error);
        },
      });
    });
  }

  /** Resolves once every unit handed in so far is settled (committed, or failed for good). */
  async close(): Promise<void> {
    if (this.unsettled === 0) return;
    await new Promise<void>((resolve) => (this.onSettled = resolve));
  }

  private push(unit: Unit): void {
    this.waiting.push(unit);
    if (this.isDraining) return;
    this.isDraining = true;
    void this.drain();
  }

  private async drain(): Promise<void> {
    try {
      while (this.waiting.length) await this.runGroup();
    } finally {
      this.isDraining = false;
    }
  }

  private async runGroup(): Promise<void> {
    // A unit runs within one turn of the event loop (the driver is synchronous), so nothing would queue behind
    // it: first let the requests whose input is ready run up to their own write, then run them all. The open
    // transaction gives no turn away: another connection to the file (another process, or another gateway in
    // this one) that waits for its write lock blocks its whole thread meanwhile, up to the busy timeout.
    await new Promise(setImmediate);
    const runner = this.dataSource.createQueryRunner(); // better-sqlite3: TypeORM's one runner, on the one connection
    const started = performance.now();
    const done: { unit: Unit; value: unknown }[] = [];
    let isOpen = false;
    while (this.waiting.length && done.length < GROUP_MAX_UNITS && (!done.length || performance.now() - started < GROUP_MAX_MS)) {
      const unit = this.waiting.shift()!;
      const isShared = done.length > 0;
      try {
        if (!isOpen) {
          await this.exec('BEGIN');
          isOpen = true;
          markTransaction(runner, true);
        }
        if (isShared) await this.exec('SAVEPOINT unit');
        const value = await unit.run(runner.manager);
        if (isShared) await this.exec('RELEASE unit');
        done.push({ unit, value });
      } catch (error) {
        if (isShared && !this.retry.covers(error) && (await this.rollbackToSavepoint())) {
          // Its own failure: the unit's writes go, the group's stay.
          unit.reject(error);
          continue;
        }
        // The whole transaction goes: this unit's error, the others run again.
        if (isOpen) await this.rollback(runner);
        isOpen = false;
        this.retryOrFail(unit, error);
        this.waiting.unshift(...done.map((d) => d.unit));
        if (isShared) return;
      }
    }
    if (!isOpen) return;
    try {
      await this.exec('COMMIT');
    } catch (error) {
      await this.rollback(runner);
      for (const { unit } of done) this.retryOrFail(unit, error);
      return;
    }
    markTransaction(runner, false);
    for (const { unit, value } of done) unit.resolve(value);
  }

  /** False when the group's transaction is gone with it (SQLite rolls back the whole of it on some errors). */
  private async rollbackToSavepoint(): Promise<boolean> {
    if (!this.connection.inTransaction) return false;
    try {
      await this.exec('ROLLBACK TO unit');
      await this.exec('RELEASE unit');
      return true;
    } catch {
      return false;
    }
  }

  private async rollback(runner: QueryRunner): Promise<void> {
    try {
      // SQLite may have rolled it back already (disk full, I/O error).
      if (this.connection.inTransaction) await this.exec('ROLLBACK');
    } catch {
      // The unit's own error is what its caller needs to see.
    }
    markTransaction(runner, false);
  }

  private retryOrFail(unit: Unit, error: unknown): void {
    if (unit.attempt >= this.retry.tries || !this.retry.covers(error)) {
      unit.reject(error);
      return;
    }
    setTimeout(() => this.push(unit), this.retry.pauseMs(unit.attempt++));
  }

  /** Synchronous in the driver: awaiting it gives no turn of the event loop away. */
  private async exec(sql: string): Promise<void> {
    await directSql(this.dataSource).run(undefined, sql, []);
  }

  private get connection(): SqliteConnection {
    return (this.dataSource.driver as unknown as { databaseConnection: SqliteConnection }).databaseConnection;
  }
}

/** What TypeORM's own transaction would leave on its runner (BaseQueryRunner keeps the depth protected). */
function markTransaction(runner: QueryRunner, isActive: boolean): void {
  const state = runner as unknown as { isTransactionActive: boolean; transactionDepth: number };
  state.isTransactionActive = isActive;
  state.transactionDepth = isActive ? 1 : 0;
}
