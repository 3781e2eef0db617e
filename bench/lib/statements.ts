import { loadConfig } from '../../src/config';
import { createGateway } from '../../src/server';
import { StatementCounter } from '../../test/helpers/statement-counter';
import type { BenchRequest } from './load';

export interface StatementCount {
  statements: number;
  transactionControl: number;
  ok: boolean;
  /** The statements, shortened, for the report. */
  sql: string[];
}

export interface CountingGateway {
  count(request: BenchRequest, check: (status: number, body: string) => boolean): Promise<StatementCount>;
  close(): Promise<void>;
}

/**
 * The gateway in this process, on the same database and settings as the child under load, with the counting
 * logger: requests go to it one at a time over HTTP (127.0.0.1), so each count is one request's statements.
 * Nothing in src/ changes for this.
 */
export async function startCountingGateway(env: Record<string, string>): Promise<CountingGateway> {
  const counter = new StatementCounter();
  const config = loadConfig({ ...env, LOG_LEVEL: 'silent' });
  const gateway = await createGateway({ config, databaseLogger: counter });
  const url = await gateway.listen(0, '127.0.0.1');
  return {
    async count(request, check) {
      counter.reset();
      const response = await fetch(`${url}${request.path ?? '/graphql'}`, {
        method: request.method ?? 'POST',
        headers: { 'content-type': 'application/json', ...request.headers },
        body: request.body,
      });
      const body = await response.text();
      return {
        statements: counter.statements.length,
        transactionControl: counter.transactionControl,
        ok: check(response.status, body),
        sql: counter.statements.map((sql) => sql.replace(/\s+/g, ' ').trim()).map((s) => (s.length > 160 ? `${s.slice(0, 157)}...` : s)),
      };
    },
    close: () => gateway.close(),
  };
}
