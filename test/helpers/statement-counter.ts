import type { Logger } from 'typeorm';

/** A compound statement (`BEGIN NOT ATOMIC … END`, MariaDB) is one statement, whatever it holds. */
const TRANSACTION_CONTROL = /^(START TRANSACTION|BEGIN(?!\s+NOT\s+ATOMIC)|COMMIT|ROLLBACK|SAVEPOINT|RELEASE)/i;
/**
 * The outbox sender reads, claims, updates and purges `mail_outbox` in the background, at moments no test
 * controls: those statements belong to no request. (A request only ever inserts into it.)
 */
const MAIL_SENDER = /^(SELECT|UPDATE|DELETE)\b[\s\S]*\bmail_outbox\b/i;

/**
 * A TypeORM logger that counts the SQL statements the gateway sends (the hook createGateway offers to tests and
 * to bench/): statements proper, and transaction control (BEGIN/COMMIT/…) apart, never counted as statements.
 * The mail sender's statements are left out (see MAIL_SENDER).
 */
export class StatementCounter implements Logger {
  count = 0;
  statements: string[] = [];
  transactionControl = 0;

  logQuery(query: string): void {
    if (MAIL_SENDER.test(query.trim())) return;
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
