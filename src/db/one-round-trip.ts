import { Database, sqlExecute, sqlRows, Tx } from './database';
import { rawInt } from './raw';

/** One SQL statement with its `?` values. */
export interface SqlStatement {
  sql: string;
  params: unknown[];
}

/** A transaction's statements for one round trip: each `guarded` must change exactly one row; then `then`. */
export interface GuardedBatch {
  guarded: SqlStatement[];
  then: SqlStatement[];
}

/**
 * MariaDB: a transaction whose usual case is one round trip: the batch as one compound statement (`BEGIN NOT
 * ATOMIC … END`) with START TRANSACTION inside, committed there when each guarded statement, in order, changed
 * exactly one row (a conditional UPDATE whose conditions held) and `then` ran: `committed` answers.
 *
 * At the first guarded statement that changed nothing, the batch stops with the transaction open: what the
 * statements before it changed stays, with the row locks all of them took (a conditional UPDATE locks the row it
 * looked at, matched or not), and `otherwise` continues it on the same connection, told how many guarded
 * statements changed their row, before it commits. So an answer keeps its place in the line for the rows it
 * touched, as in a transaction of statements sent one by one. (A savepoint would not do: rolling back to one
 * releases the locks taken after it.) Any SQL error rolls everything back and retries it whole (deadlocks,
 * Galera certification failures), as Database.transaction does.
 *
 * A Galera node gets the same statements one by one in an ordinary transaction (statementByStatement). There a
 * compound statement whose transaction another node's commit aborted could leave the connection out of step:
 * sent as text, a stress of such batches on one row through three nodes had mysql2 read a result it could not
 * parse ("Should not reach here") about once in 5,000 batches, and that batch had committed.
 */
export async function inOneRoundTrip<T>(db: Database, batch: GuardedBatch, committed: () => T, otherwise: (tx: Tx, changed: number) => Promise<T>): Promise<T> {
  if (db.isGaleraNode) return statementByStatement(db, batch, committed, otherwise);
  const nested = batch.guarded.reduceRight(
    (inner, statement, index) => `${statement.sql}; IF ROW_COUNT() = 1 THEN SET changed_rows = ${index + 1}; ${inner} END IF;`,
    '',
  );
  const sql = `BEGIN NOT ATOMIC
      DECLARE changed_rows INT DEFAULT 0;
      DECLARE EXIT HANDLER FOR SQLEXCEPTION BEGIN ROLLBACK; RESIGNAL; END;
      START TRANSACTION;
      ${nested}
      IF changed_rows = ${batch.guarded.length} THEN
        ${batch.then.map((statement) => `${statement.sql};`).join('\n')}
        COMMIT;
      END IF;
      SELECT changed_rows AS changed;
    END`;
  const params = [...batch.guarded, ...batch.then].flatMap((statement) => statement.params);
  return db.onOneConnection(async (tx) => {
    const [row] = await sqlRows(tx, sql, params);
    const changed = rawInt(row.changed);
    if (changed === batch.guarded.length) return committed();
    const result = await otherwise(tx, changed);
    await tx.query('COMMIT');
    return result;
  });
}

/** The batch's statements sent one by one in a transaction, to the same effect as inOneRoundTrip's. */
function statementByStatement<T>(db: Database, batch: GuardedBatch, committed: () => T, otherwise: (tx: Tx, changed: number) => Promise<T>): Promise<T> {
  return db.transaction(async (tx) => {
    for (const [index, statement] of batch.guarded.entries()) {
      if ((await sqlExecute(tx, statement.sql, statement.params)) !== 1) return otherwise(tx, index);
    }
    for (const statement of batch.then) await sqlExecute(tx, statement.sql, statement.params);
    return committed();
  });
}
