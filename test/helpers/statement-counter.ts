import type { Logger } from 'typeorm';

/** A TypeORM logger that counts the SQL statements the gateway sends (transaction control excluded). */
export class StatementCounter implements Logger {
  count = 0;
  statements: string[] = [];

  logQuery(query: string): void {
    if (/^(START TRANSACTION|BEGIN|COMMIT|ROLLBACK|SAVEPOINT|RELEASE)/i.test(query.trim())) return;
    this.count++;
    this.statements.push(query);
  }
  reset(): void {
    this.count = 0;
    this.statements = [];
  }
  logQueryError(): void {}
  logQuerySlow(): void {}
  logSchemaBuild(): void {}
  logMigration(): void {}
  log(): void {}
}
