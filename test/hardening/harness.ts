import { ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import path from 'node:path';
import { createConnection } from 'mysql2/promise';
import { loadConfig } from '../../src/config';
import type { Logger } from '../../src/logger';
import { createGateway, Gateway } from '../../src/server';
import { GraphQLClient } from '../helpers/client';
import { TestClock } from '../helpers/clock';
import type { DatabaseKind, ScratchDatabase } from '../helpers/databases';
import { startTestGateway, TEST_ENCRYPTION_KEYS, TestGateway } from '../helpers/gateway';
import { StatementCounter } from '../helpers/statement-counter';
import { ensureServerBuilt } from './build-check';

const ROOT = path.resolve(__dirname, '../..');

/** The test gateway (own scratch database, test clock) as it runs in production, logging nothing. */
export function startProductionGateway(kind: DatabaseKind, env: Record<string, string> = {}): Promise<TestGateway> {
  return startTestGateway(kind, { NODE_ENV: 'production', LOG_LEVEL: 'silent', ...env });
}

/** Anything that looks like a stack trace, a source path or a driver error, anywhere in a response body. */
export const INTERNALS = /stacktrace|\bat .+:\d+:\d+|node_modules|\/src\/|SQLITE_|\bER_[A-Z_]+|QueryFailedError|TypeORM/i;

/** Production settings for a gateway on `database`, with per-IP limits off unless `env` turns them on. */
export function productionEnv(database: ScratchDatabase, env: Record<string, string> = {}): Record<string, string> {
  return {
    NODE_ENV: 'production',
    LOG_LEVEL: 'silent',
    DATA_DIR: database.dataDir,
    ...(database.url ? { DATABASE_URL: database.url } : {}),
    ENCRYPTION_KEYS: TEST_ENCRYPTION_KEYS,
    PUBLIC_URL: 'https://gateway.test',
    // Production wants SMTP_URL; messages land as .eml files under DATA_DIR unless a test names a mail server.
    ...(env.SMTP_URL ? {} : { MAIL_DELIVERY: 'files' }),
    RATE_LIMIT_SIGN_IN_PER_MINUTE: '0',
    RATE_LIMIT_ANSWERS_PER_MINUTE: '0',
    RATE_LIMIT_TENANT_CHANGES_PER_HOUR: '0',
    RATE_LIMIT_REAUTH_PER_MINUTE: '0',
    RATE_LIMIT_ACCOUNT_MAILS_PER_HOUR: '0',
    RATE_LIMIT_USER_CODES_PER_MINUTE: '0',
    // The fixtures sign agents up; production's default is invitation-only.
    SIGN_UP: 'open',
    ...env,
  };
}

export interface GatewayOptions {
  env?: Record<string, string>;
  clock?: TestClock;
  logger?: Logger;
  /** Listen here (e.g. the port of the gateway this one replaces, so clients made before keep working). */
  port?: number;
}

/**
 * An in-process production gateway on a scratch database the caller owns: `close()` stops the gateway and
 * leaves the database, so a test can restart on it (new keys) or point the gateway elsewhere (a proxy).
 */
export async function openGateway(kind: DatabaseKind, database: ScratchDatabase, options: GatewayOptions = {}): Promise<TestGateway> {
  const config = loadConfig(productionEnv(database, options.env));
  const clock = options.clock ?? new TestClock();
  const statements = new StatementCounter();
  const gateway: Gateway = await createGateway({ config, clock, logger: options.logger, databaseLogger: statements });
  const url = await gateway.listen(options.port ?? 0, '127.0.0.1');
  return {
    kind,
    url,
    clock,
    statements,
    gateway,
    database,
    client: new GraphQLClient(url),
    startPeer: () => Promise.reject(new Error('not supported here')),
    close: () => gateway.close(),
  };
}

export interface GatewayProcess {
  url: string;
  child: ChildProcess;
  output: () => string;
  /** SIGTERM, then the exit code. */
  stop(): Promise<number | null>;
}

/**
 * `node dist/src/main.js` as its own process (real clock, own pool), answering /healthz. It binds port 0 and
 * reports the port it got (report-port.cjs), so no other process can take the port first. Spawned gateways run
 * the build, compiled first when older than the sources (build-check.ts).
 */
// The second parameter (a port chosen beforehand) is ignored: the child picks its own.
export async function spawnGateway(env: Record<string, string>, _ignoredPort?: number): Promise<GatewayProcess> {
  ensureServerBuilt();
  const child = spawn(process.execPath, ['--require', path.join(__dirname, 'report-port.cjs'), path.join(ROOT, 'dist/src/main.js')], {
    cwd: ROOT,
    env: { PATH: process.env.PATH, SEED_DEMO: 'false', ...env, PORT: '0' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  const exited = once(child, 'exit').then(([code]) => code as number | null);
  const deadline = Date.now() + 30_000;
  let url: string | undefined;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`gateway exited ${child.exitCode}: ${output}`);
    const port = /GATEWAY_PORT=(\d+)/.exec(output)?.[1];
    url ??= port ? `http://127.0.0.1:${port}` : undefined;
    if (url && (await fetch(`${url}/healthz`).then((r) => r.ok, () => false))) break;
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`gateway did not become healthy: ${output}`);
    }
    await sleep(100);
  }
  return {
    url,
    child,
    output: () => output,
    stop: async () => {
      if (child.exitCode === null) child.kill('SIGTERM');
      return exited;
    },
  };
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A TCP port that was free a moment ago. Racy by nature (another process may take it before it is bound):
 *  kept for callers that need a port number before anything listens; gateways choose their own. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Straight to MariaDB, for reading what child processes wrote (rows come back as plain objects). */
export async function mysqlReader(url: string) {
  const connection = await createConnection({ uri: url, timezone: 'Z' });
  return {
    query: async (sql: string, params: unknown[] = []) => (await connection.query(sql, params))[0] as Array<Record<string, any>>,
    close: () => connection.end(),
  };
}

/** What main.ts's second-line handlers log: never expected, since each is a defect to fix at its cause. */
export const PROCESS_LEVEL_DEFECT = /unhandled promise rejection|uncaught exception/i;
