import type { Database as SqliteConnection, Statement } from 'better-sqlite3';
import type { ExecuteValues, Pool, PoolConnection } from 'mysql2';
import type { DataSource, QueryRunner } from 'typeorm';
import { DateUtils } from 'typeorm/util/DateUtils';

/** What a statement gave back: its rows (reads, `… RETURNING`), and how many rows it changed (writes). */
export interface SqlResult {
  rows: Record<string, unknown>[];
  affected: number;
}

/** Runs plain SQL on a transaction's connection (the query runner's) or, without one, on the data source's. */
export interface DirectSql {
  run(runner: QueryRunner | undefined, sql: string, params: unknown[]): Promise<SqlResult>;
}

/**
 * Distinct statements kept prepared, per connection: the hot paths use a few dozen texts; an IN list of varying
 * length makes one per length. On MariaDB each is a server-side statement of its connection, and the server
 * caps them in total (max_prepared_stmt_count, 16,382 by default), so the pool's connections stay well below.
 */
export const PREPARED_STATEMENTS_PER_CONNECTION = 256;

const bySource = new WeakMap<DataSource, DirectSql>();

/**
 * For a Galera node: the statements of a transaction go as text (`query`), not as prepared statements. Another
 * node's commit can abort an open transaction here (a brute-force abort). A prepared SELECT running when that
 * happened returned its rows with no error, and the transaction was gone: the statements after it committed one
 * by one, and the writes before it were lost. Under the cluster tests' races this spent a challenge's attempt
 * without counting the failure toward the pair's lock, and passed a challenge with a recovery code that stayed
 * unused (a probe of `@@in_transaction` after each statement caught it in 2 of 40 races, never with text). A text
 * statement is answered with ER_LOCK_DEADLOCK instead, and the whole transaction is retried. Statements outside
 * transactions stay prepared: each is its own transaction, and a plain server aborts nothing.
 */
export function sendTransactionStatementsAsText(dataSource: DataSource): void {
  const direct = directSql(dataSource);
  if (direct instanceof MysqlStatements) direct.textInTransactions = true;
}

/** The driver path of a data source, made on first use. */
export function directSql(dataSource: DataSource): DirectSql {
  let direct = bySource.get(dataSource);
  if (!direct) {
    direct = dataSource.options.type === 'better-sqlite3' ? new SqliteStatements(dataSource) : new MysqlStatements(dataSource);
    bySource.set(dataSource, direct);
  }
  return direct;
}

/**
 * better-sqlite3: one connection, TypeORM's, so a statement joins the transaction open on it (Database.transaction
 * lets one run at a time). Statements run synchronously; each is prepared once per SQL text.
 */
class SqliteStatements implements DirectSql {
  private readonly prepared = new Map<string, Statement>();

  constructor(private readonly dataSource: DataSource) {}

  async run(_runner: QueryRunner | undefined, sql: string, params: unknown[]): Promise<SqlResult> {
    // SQLite stores datetimes as UTC text, the way TypeORM writes them, and binds no booleans.
    const values = params.map(toSqliteValue);
    const logger = this.dataSource.logger;
    logger.logQuery(sql, values);
    try {
      const statement = this.statement(sql);
      if (statement.reader) {
        const rows = statement.all(...values) as Record<string, unknown>[];
        return { rows, affected: rows.length };
      }
      return { rows: [], affected: statement.run(...values).changes };
    } catch (error) {
      logger.logQueryError(error as Error, sql, values);
      throw error;
    }
  }

  private statement(sql: string): Statement {
    let statement = this.prepared.get(sql);
    if (!statement) {
      const connection = (this.dataSource.driver as unknown as { databaseConnection: SqliteConnection }).databaseConnection;
      statement = connection.prepare(sql);
      if (this.prepared.size >= PREPARED_STATEMENTS_PER_CONNECTION) this.prepared.delete(this.prepared.keys().next().value!);
      this.prepared.set(sql, statement);
    }
    return statement;
  }
}

function toSqliteValue(value: unknown): unknown {
  if (value instanceof Date) return DateUtils.mixedDateToUtcDatetimeString(value);
  if (typeof value === 'boolean') return value ? 1 : 0;
  return value === undefined ? null : value;
}

/** mysql2's `execute` and `query` alike: the statement, its values, and the callback. */
type Sender = Record<'execute' | 'query', (sql: string, values: ExecuteValues[], callback: (error: Error | null, result: unknown) => void) => void>;

/**
 * mysql2: `execute` prepares the statement on the server once per connection and SQL text (mysql2 keeps them,
 * see PREPARED_STATEMENTS_PER_CONNECTION) and sends only the values afterwards, in the binary protocol. Inside
 * a transaction it runs on the transaction's own pooled connection; outside, on any connection of the pool.
 * mysql2 converts Dates with the pool's time zone ('Z') both ways.
 *
 * On a Galera node, statements inside a transaction go as text (`query`, values escaped by mysql2) instead: see
 * sendTransactionStatementsAsText.
 */
class MysqlStatements implements DirectSql {
  textInTransactions = false;

  constructor(private readonly dataSource: DataSource) {}

  async run(runner: QueryRunner | undefined, sql: string, params: unknown[]): Promise<SqlResult> {
    const values = params.map((value) => (value === undefined ? null : value)) as ExecuteValues[];
    const logger = this.dataSource.logger;
    logger.logQuery(sql, values);
    const target: Pool | PoolConnection = runner
      ? ((await runner.connect()) as PoolConnection)
      : (this.dataSource.driver as unknown as { pool: Pool }).pool;
    const method = runner && this.textInTransactions ? 'query' : 'execute';
    return new Promise<SqlResult>((resolve, reject) => {
      (target as unknown as Sender)[method](sql, values, (error, result) => {
        if (error) {
          logger.logQueryError(error, sql, values);
          reject(error);
        } else if (Array.isArray(result) && Array.isArray(result[0])) {
          // A compound statement (BEGIN NOT ATOMIC … END): its SELECT's rows, then the statement's own header.
          const rows = result[0] as Record<string, unknown>[];
          resolve({ rows, affected: rows.length });
        } else if (Array.isArray(result)) {
          resolve({ rows: result as Record<string, unknown>[], affected: result.length });
        } else {
          resolve({ rows: [], affected: (result as { affectedRows: number }).affectedRows });
        }
      });
    });
  }
}
