import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { DataSource, EntityManager, Logger } from 'typeorm';
import type { DatabaseConfig } from '../config';
import { migrations } from '../../migrations';
import { entities } from './entities';
import { withMigrationLock, withSqliteMigrationLock } from './migration-lock';
import { connectMysql, describeMysqlDatabase } from './mysql-connect';
import { directSql, PREPARED_STATEMENTS_PER_CONNECTION, sendTransactionStatementsAsText } from './direct-sql';
import { rawBool } from './raw';
import { RetryRule, SqliteWriter } from './sqlite-writer';

/** A unit of work: every write of one request goes through one of these. */
export type Tx = EntityManager;

/**
 * InnoDB deadlocks and lock-wait time-outs roll back the whole transaction, so retrying it is safe. On a Galera
 * cluster a transaction that loses certification to a conflicting commit on another node fails the same way
 * (ER_LOCK_DEADLOCK), at any statement or at COMMIT, and is retried the same way, from BEGIN. The pause is
 * random below a doubling bound (10, 20, … 320 ms, then 320 again). Ten tries: one pair's answers spread over
 * three nodes conflict about twice per answer, and six tries left a few of them with the deadlock itself.
 */
const MYSQL_RETRIES: RetryRule = {
  covers: hasDriverCode('ER_LOCK_DEADLOCK', 'ER_LOCK_WAIT_TIMEOUT'),
  tries: 10,
  pauseMs: (attempt) => Math.random() * 10 * 2 ** Math.min(attempt - 1, 5),
};

/**
 * Another process sharing the SQLite file wrote after this transaction's first read, or holds the write lock
 * while this one, having read, wants it: SQLite refuses at once rather than wait (SQLITE_BUSY_SNAPSHOT /
 * SQLITE_BUSY; waiting could deadlock). The transaction was rolled back whole: run it again on a fresh snapshot.
 * The other process's write is usually a few milliseconds long.
 */
const SQLITE_RETRIES: RetryRule = {
  covers: hasDriverCode('SQLITE_BUSY', 'SQLITE_BUSY_SNAPSHOT'),
  tries: 10,
  pauseMs: (attempt) => 5 + Math.random() * 20 * attempt,
};

/**
 * The data source plus the one way to write to it. SQLite gives TypeORM a single connection, on which two
 * interleaved async transactions would nest as savepoints of each other, and a lone write would join whichever
 * transaction is open; there, every write (`transaction` and `autocommit`) takes its turn through one writer
 * (SQLite has one writer anyway), which commits the writes that queued up meanwhile together: group commit
 * (sqlite-writer.ts). MySQL/MariaDB runs transactions on pooled connections. `manager` is for reads.
 */
export class Database {
  private readonly sqliteWriter: SqliteWriter | undefined;

  constructor(
    readonly dataSource: DataSource,
    /** Which database this is, for the log: `SQLite /path/gateway.sqlite`, `MariaDB database "gw" on db:3306`. */
    readonly description: string,
    /** Opening it created it (a new SQLite file, or CREATE DATABASE): a mistyped name shows here. */
    readonly createdJustNow: boolean,
    /** The server is a node of a Galera cluster (see sendTransactionStatementsAsText and inOneRoundTrip). */
    readonly isGaleraNode = false,
  ) {
    if (this.isSqlite) this.sqliteWriter = new SqliteWriter(dataSource, SQLITE_RETRIES);
  }

  /** For the log when opening created a database on a server: a mistyped name there makes a new, empty one. */
  get creationWarning(): string | null {
    if (!this.createdJustNow || this.isSqlite) return null;
    return `${this.description} did not exist: created it just now (utf8mb4). If you meant an existing database, check its name in DATABASE_URL.`;
  }

  get isSqlite(): boolean {
    return this.dataSource.options.type === 'better-sqlite3';
  }

  get manager(): EntityManager {
    return this.dataSource.manager;
  }

  async transaction<T>(work: (tx: Tx) => Promise<T>): Promise<T> {
    if (this.sqliteWriter) return this.sqliteWriter.run(work);
    return retrying(MYSQL_RETRIES, () => this.dataSource.transaction(work));
  }

  /** A single write statement outside a transaction: on SQLite it still takes its turn (see above). */
  async autocommit<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    if (this.sqliteWriter) return this.sqliteWriter.run(() => work(this.manager));
    return retrying(MYSQL_RETRIES, () => work(this.manager));
  }

  /**
   * MySQL/MariaDB: `work` on a pooled connection of its own, on which it opens a transaction by SQL (a compound
   * statement's START TRANSACTION) and ends it; rolled back when it throws, and retried whole like a transaction.
   */
  async onOneConnection<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    return retrying(MYSQL_RETRIES, async () => {
      const runner = this.dataSource.createQueryRunner();
      try {
        return await work(runner.manager);
      } catch (error) {
        await runner.query('ROLLBACK').catch(() => undefined);
        throw error;
      } finally {
        await runner.release();
      }
    });
  }

  /**
   * Row lock for read-decide-write sequences (the hierarchy rule); SQLite is already serialized above. A write
   * rather than SELECT … FOR UPDATE: both lock the row on one server, but only a write is certified by a Galera
   * cluster, so that the same sequence on another node conflicts with this one instead of running beside it.
   */
  async lockRow(tx: Tx, table: 'agents' | 'sessions' | 'tenants', id: string): Promise<void> {
    if (!this.isSqlite) await sqlExecute(tx, `UPDATE ${table} SET lock_version = lock_version + 1 WHERE id = ?`, [id]);
  }

  async ping(): Promise<boolean> {
    try {
      await this.dataSource.query('SELECT 1');
      return true;
    } catch {
      return false;
    }
  }

  /**
   * Runs pending migrations, on MySQL under a lock every node of a cluster sees (migration-lock.ts); answers the
   * names of those it applied, oldest first (none when the database was up to date).
   */
  async migrate(): Promise<string[]> {
    const run = () => this.dataSource.runMigrations({ transaction: 'each' });
    const applied = this.isSqlite
      ? await withSqliteMigrationLock(String(this.dataSource.options.database), run)
      : await withMigrationLock(this.dataSource, run);
    return applied.map((migration) => migration.name);
  }

  /** Waits for the writes already handed in (SQLite) to commit or fail first. */
  async close(): Promise<void> {
    await this.sqliteWriter?.close();
    await this.dataSource.destroy();
  }
}

function hasDriverCode(...codes: string[]): (error: unknown) => boolean {
  const set = new Set(codes);
  return (error) => set.has(driverCode(error));
}

async function retrying<T>(policy: RetryRule, work: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await work();
    } catch (error) {
      if (attempt >= policy.tries || !policy.covers(error)) throw error;
      await new Promise((resolve) => setTimeout(resolve, policy.pauseMs(attempt)));
    }
  }
}

const UNAVAILABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENOTFOUND',
  'PROTOCOL_CONNECTION_LOST',
  'PROTOCOL_SEQUENCE_TIMEOUT',
  'ER_SERVER_SHUTDOWN',
  'ER_CON_COUNT_ERROR',
  'POOL_CLOSED',
]);

/** The database did not answer (as opposed to refusing a statement): the request may succeed later. */
export function isDatabaseUnavailable(error: unknown): boolean {
  const message = String((error as { message?: unknown })?.message ?? '');
  return UNAVAILABLE_CODES.has(driverCode(error)) || /connection is in closed state|connection lost|connect ETIMEDOUT/i.test(message);
}

/**
 * Plain SQL with `?` placeholders, on a transaction's manager or the data source's, for the hot paths (every
 * request's session, the gate, challenge answers): TypeORM's query builder costs about ten times the statement
 * itself there, and its query runner still a quarter of an answer, so these go to the driver itself, as prepared
 * statements kept per SQL text (direct-sql.ts). Rows come back raw (see raw.ts).
 */
export async function sqlRows<T = Record<string, unknown>>(manager: EntityManager, sql: string, params: unknown[] = []): Promise<T[]> {
  return (await directSql(manager.connection).run(manager.queryRunner, sql, params)).rows as T[];
}

/** A write statement in plain SQL; answers how many rows it changed (conditional updates read this). */
export async function sqlExecute(manager: EntityManager, sql: string, params: unknown[] = []): Promise<number> {
  return (await directSql(manager.connection).run(manager.queryRunner, sql, params)).affected;
}

export function isUniqueViolation(error: unknown): boolean {
  const code = driverCode(error);
  return code === 'ER_DUP_ENTRY' || code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}

function driverCode(error: unknown): string {
  const e = error as { code?: unknown; driverError?: { code?: unknown } };
  return String(e?.driverError?.code ?? e?.code ?? '');
}

/** The part of better-sqlite3's connection that prepareDatabase uses. */
interface SqliteConnection {
  pragma(source: string): unknown;
  function(name: string, options: { deterministic: boolean }, implementation: (value: unknown) => unknown): unknown;
}

export interface DatabaseOptions {
  /** e.g. a statement counter in tests and benchmarks. */
  logger?: Logger;
}

export async function openDatabase(config: DatabaseConfig, options: DatabaseOptions = {}): Promise<Database> {
  const common = { entities, migrations, synchronize: false, migrationsRun: false, logger: options.logger, logging: Boolean(options.logger) } as const;
  let dataSource: DataSource;
  if (config.kind === 'sqlite') {
    mkdirSync(path.dirname(config.file), { recursive: true });
    dataSource = new DataSource({
      ...common,
      type: 'better-sqlite3',
      database: config.file,
      // WAL lets readers in other processes go on while one writes; `timeout` waits for their write lock.
      enableWAL: true,
      timeout: 5000,
      // In WAL mode NORMAL syncs at checkpoints rather than at every commit: commits stay atomic and survive
      // a crash of the process; a power cut may lose the last moments (the documented trade-off for WAL).
      prepareDatabase: (db: SqliteConnection) => {
        db.pragma('synchronous = NORMAL');
        // SQLite's own LOWER folds ASCII only; MariaDB's folds every script. The agent search needs them alike.
        db.function('lower', { deterministic: true }, (text) => (typeof text === 'string' ? text.toLowerCase() : text));
      },
    });
  } else {
    dataSource = new DataSource({
      ...common,
      type: config.kind,
      url: config.url,
      timezone: 'Z',
      charset: 'utf8mb4_unicode_ci',
      connectTimeout: 3000,
      extra: { connectionLimit: 20, enableKeepAlive: true, maxPreparedStatements: PREPARED_STATEMENTS_PER_CONNECTION },
    });
  }
  if (config.kind === 'sqlite') {
    const created = !existsSync(config.file);
    await dataSource.initialize();
    return new Database(dataSource, `SQLite ${config.file}`, created);
  }
  const { created } = await connectMysql(dataSource, config.url); // creates a missing database; one clear line when it cannot
  const galera = await isGaleraNode(dataSource);
  if (galera) sendTransactionStatementsAsText(dataSource);
  return new Database(dataSource, describeMysqlDatabase(config.url, config.kind), created, galera);
}

/** Whether the server replicates as a node of a Galera cluster (MariaDB's wsrep_on; MySQL has no such variable). */
async function isGaleraNode(dataSource: DataSource): Promise<boolean> {
  const rows: Array<{ wsrep_on: unknown }> = await dataSource.query('SELECT @@wsrep_on AS wsrep_on').catch(() => []);
  return rawBool(rows[0]?.wsrep_on);
}
