import { Database, sqlRows } from './database';
import { rawInt } from './raw';

/** One SQL statement with its `?` values. */
export interface SqlStatement {
  sql: string;
  params: unknown[];
}

/** What an all-or-nothing batch did: how many guarded statements changed their row, and the report's row. */
export interface BatchOutcome {
  /** All of them: the batch committed. Fewer: the one after the last counted changed nothing, and it rolled back. */
  changed: number;
  report: Record<string, unknown>;
}

/**
 * MariaDB: a transaction's statements in one round trip, as one compound statement (`BEGIN NOT ATOMIC … END`) with
 * the transaction inside. Each `guarded` statement, in order, must change exactly one row (a conditional UPDATE
 * whose conditions hold); at the first that does not, the batch rolls back whole. When all did, `then` runs and
 * the batch commits. `report` (a SELECT of at most one row) reads after the commit or rollback. Any SQL error
 * rolls back and is raised again, so deadlocks and Galera certification failures reach the retry rule
 * (Database.autocommit) as a transaction's would: the whole batch runs again.
 */
export async function allOrNothing(db: Database, guarded: SqlStatement[], then: SqlStatement[], report?: SqlStatement): Promise<BatchOutcome> {
  const nested = guarded.reduceRight(
    (inner, statement, index) => `${statement.sql}; IF ROW_COUNT() = 1 THEN SET changed_rows = ${index + 1}; ${inner} END IF;`,
    '',
  );
  const reported = report ? `LEFT JOIN (${report.sql}) reported ON TRUE` : '';
  const sql = `BEGIN NOT ATOMIC
      DECLARE changed_rows INT DEFAULT 0;
      DECLARE EXIT HANDLER FOR SQLEXCEPTION BEGIN ROLLBACK; RESIGNAL; END;
      START TRANSACTION;
      ${nested}
      IF changed_rows = ${guarded.length} THEN
        ${then.map((statement) => `${statement.sql};`).join('\n')}
        COMMIT;
      ELSE
        ROLLBACK;
      END IF;
      SELECT ${reported ? 'reported.*, ' : ''}changed_rows AS changed FROM (SELECT 1) one ${reported};
    END`;
  const params = [...guarded, ...then, ...(report ? [report] : [])].flatMap((statement) => statement.params);
  const [row] = await db.autocommit((manager) => sqlRows(manager, sql, params));
  return { changed: rawInt(row.changed), report: row };
}
