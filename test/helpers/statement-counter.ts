import type { Logger } from 'typeorm';

const TRANSACTION_CONTROL = /^(START TRANSACTION|BEGIN|COMMIT|ROLLBACK|SAVEPOINT|RELEASE)/i;

/**
 * A TypeORM logger that counts the SQL statements the gateway sends (the hook createGateway offers to tests and
 * to bench/): statements proper, and transaction control (BEGIN/COMMIT/…) apart, never counted as statements.
 */
export class StatementCounter implements Logger {
  count = 0;
  statements: string[] = [];
  transactionControl = 0;

  logQuery(query: string): void {
    if (TRANSACTION_CONTROL.test(query.trim())) {
      this.transactionControl++;
      return;
    }
    this.count++;
    this.statements.push(query);
  }
  reset(): void {
    this.count = 0;
    this.statements = [];
    this.transactionControl = 0;
  }
  logQueryError(): void {}
  logQuerySlow(): void {}
  logSchemaBuild(): void {}
  logMigration(): void {}
  log(): void {}
}
