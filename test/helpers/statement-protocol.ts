import { Database, sqlRows } from '../../src/db/database';

/**
 * How the statements of a transaction reach MySQL/MariaDB: the growth of the connection's own prepared-statement
 * executions (Com_stmt_execute) across two reads inside one transaction. SHOW goes as text, so it counts none.
 */
export async function preparedExecutionsInTransaction(db: Database): Promise<number> {
  return db.transaction(async (tx) => {
    const executions = async () => Number((await tx.query("SHOW SESSION STATUS LIKE 'Com_stmt_execute'"))[0].Value);
    const before = await executions();
    await sqlRows(tx, 'SELECT 1 AS one');
    await sqlRows(tx, 'SELECT ? AS two', [2]);
    return (await executions()) - before;
  });
}
