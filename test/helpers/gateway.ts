import { randomBytes } from 'node:crypto';
import { loadConfig } from '../../src/config';
import { createGateway, Gateway } from '../../src/server';
import { GraphQLClient } from './client';
import { TestClock } from './clock';
import { DatabaseKind, scratchDatabase, ScratchDatabase } from './databases';
import { StatementCounter } from './statement-counter';

export const TEST_ENCRYPTION_KEYS = `test1:${randomBytes(32).toString('base64')}`;

export interface TestGateway {
  kind: DatabaseKind;
  url: string;
  clock: TestClock;
  statements: StatementCounter;
  gateway: Gateway;
  database: ScratchDatabase;
  /** An anonymous client; `.withToken(t)` for a signed-in one. */
  client: GraphQLClient;
  /** Another gateway instance (own pool, own state) on the same database, as a second process would be. */
  startPeer(): Promise<{ url: string; client: GraphQLClient; close(): Promise<void> }>;
  close(): Promise<void>;
}

/** The real gateway over HTTP on a free port, on a database of its own, with a clock the test controls. */
export async function startTestGateway(kind: DatabaseKind, env: Record<string, string> = {}): Promise<TestGateway> {
  const database = await scratchDatabase(kind);
  const config = loadConfig({
    NODE_ENV: 'test',
    DATA_DIR: database.dataDir,
    ...(database.url ? { DATABASE_URL: database.url } : {}),
    ENCRYPTION_KEYS: TEST_ENCRYPTION_KEYS,
    // Every test signs in from 127.0.0.1: per-IP limits are off unless a test turns them on.
    RATE_LIMIT_SIGN_IN_PER_MINUTE: '0',
    RATE_LIMIT_ANSWERS_PER_MINUTE: '0',
    RATE_LIMIT_TENANT_CHANGES_PER_HOUR: '0',
    RATE_LIMIT_REAUTH_PER_MINUTE: '0',
    RATE_LIMIT_ACCOUNT_MAILS_PER_HOUR: '0',
    RATE_LIMIT_USER_CODES_PER_MINUTE: '0',
    // Fixtures sign agents up in every mode (production defaults to invitation-only); sign-up tests set their own.
    SIGN_UP: 'open',
    // Production wants PUBLIC_URL; elsewhere it is where the gateway listens. A test that follows links in
    // production mode names its own. Production wants SMTP_URL too: .eml files, unless the test names a server.
    ...(env.NODE_ENV === 'production' ? { PUBLIC_URL: 'https://gateway.test', ...(env.SMTP_URL ? {} : { MAIL_DELIVERY: 'files' }) } : {}),
    ...env,
  });
  const clock = new TestClock();
  const statements = new StatementCounter();
  const gateway = await createGateway({ config, clock, databaseLogger: statements });
  const url = await gateway.listen(0, '127.0.0.1');
  const peers: Gateway[] = [];
  return {
    kind,
    url,
    clock,
    statements,
    gateway,
    database,
    client: new GraphQLClient(url),
    async startPeer() {
      const peer = await createGateway({ config, clock });
      peers.push(peer);
      const peerUrl = await peer.listen(0, '127.0.0.1');
      return { url: peerUrl, client: new GraphQLClient(peerUrl), close: () => peer.close() };
    },
    async close() {
      for (const peer of peers) await peer.close().catch(() => undefined);
      await gateway.close();
      await database.drop();
    },
  };
}
