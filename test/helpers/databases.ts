import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createConnection } from 'mysql2/promise';
import { createDatabaseIfMissing } from '../../src/db/mysql-connect';
import { StartupError } from '../../src/errors/startup-error';

/** One suite, every database: the embedded SQLite always, MariaDB/MySQL when TEST_MYSQL_URL is set. */
export type DatabaseKind = 'sqlite' | 'mariadb';

export const databaseKinds: DatabaseKind[] = process.env.TEST_MYSQL_URL ? ['sqlite', 'mariadb'] : ['sqlite'];

export interface ScratchDatabase {
  /** DATABASE_URL for the gateway; undefined means the SQLite file under dataDir. */
  url: string | undefined;
  dataDir: string;
  drop(): Promise<void>;
}

/** A database of its own for one test file: a temporary SQLite directory, or a fresh MariaDB schema. */
export async function scratchDatabase(kind: DatabaseKind): Promise<ScratchDatabase> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'gateway-test-'));
  const removeDir = () => rmSync(dataDir, { recursive: true, force: true });
  if (kind === 'sqlite') return { url: undefined, dataDir, drop: async () => removeDir() };

  const given = process.env.TEST_MYSQL_URL!;
  const prefix = new URL(given).pathname.slice(1) || 'test';
  // The database TEST_MYSQL_URL names need not exist: it only prefixes the scratch ones, made on the server.
  const server = new URL(given);
  server.pathname = '/';
  const name = `${prefix}_${randomBytes(4).toString('hex')}`;
  const url = new URL(server);
  url.pathname = `/${name}`;
  await createDatabaseIfMissing(url.toString(), 'TEST_MYSQL_URL').catch((error) => {
    throw error instanceof StartupError ? new Error(`TEST_MYSQL_URL: ${error.message}`) : error;
  });
  return {
    url: url.toString(),
    dataDir,
    drop: async () => {
      const conn = await createConnection({ uri: server.toString() });
      await conn.query(`DROP DATABASE IF EXISTS \`${name}\``);
      await conn.end();
      removeDir();
    },
  };
}
