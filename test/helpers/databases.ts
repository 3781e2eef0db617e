import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createConnection } from 'mysql2/promise';

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

  const server = new URL(process.env.TEST_MYSQL_URL!);
  const name = `${server.pathname.slice(1) || 'test'}_${randomBytes(4).toString('hex')}`;
  const admin = await createConnection({ uri: server.toString() });
  await admin.query(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
  await admin.end();
  const url = new URL(server);
  url.pathname = `/${name}`;
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
