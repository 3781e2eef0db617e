// A newcomer's MariaDB: the database may not exist yet, and the server may not be there at all.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/db/database';
import { StartupError } from '../../src/errors/startup-error';
import { freePort, mysqlReader } from './harness';

const ROOT = path.resolve(__dirname, '../..');
const hasMariaDb = Boolean(process.env.TEST_MYSQL_URL);

/** TEST_MYSQL_URL with another database (and optionally another account). */
function mariadbUrl(database: string, account?: { user: string; password: string }): string {
  const url = new URL(process.env.TEST_MYSQL_URL!);
  url.pathname = `/${database}`;
  if (account) [url.username, url.password] = [account.user, account.password];
  return url.toString();
}

describe('connecting to MySQL/MariaDB', () => {
  it('a refused connection stops the built gateway with one line naming host:port, no driver stack', async () => {
    const port = await freePort(); // nothing listens there
    const env = { PATH: process.env.PATH, NODE_ENV: 'production', PUBLIC_URL: 'https://gateway.test', MAIL_DELIVERY: 'off', ENCRYPTION_KEYS: `k1:${randomBytes(32).toString('base64')}`, DATABASE_URL: `mysql://gw:pw@127.0.0.1:${port}/gw` };
    const failure = await promisify(execFile)(process.execPath, [path.join(ROOT, 'dist/src/main.js')], { env, timeout: 30_000 }).then(
      () => ({ code: 0, stderr: '' }),
      (error: { code: number; stderr: string }) => error,
    );
    expect(failure.code).toBe(1);
    expect(failure.stderr.trim()).toBe(
      `Cannot connect to MySQL/MariaDB at 127.0.0.1:${port}: connection refused. Check that the server is running there and that DATABASE_URL's host and port are right.`,
    );
  });

  describe.skipIf(!hasMariaDb)('on MariaDB (skipped without TEST_MYSQL_URL, which CI sets)', () => {
    const prefix = new URL(process.env.TEST_MYSQL_URL ?? 'mysql://x/test').pathname.slice(1) || 'test';

    it('creates a database that does not exist yet, in utf8mb4, and migrates it', async () => {
      const name = `${prefix}_fresh_${randomBytes(4).toString('hex')}`;
      const reader = await mysqlReader(mariadbUrl(''));
      try {
        expect(await reader.query('SELECT 1 FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?', [name])).toEqual([]);
        const db = await openDatabase({ kind: 'mariadb', url: mariadbUrl(name) });
        await db.migrate();
        await db.close();
        const [schema] = await reader.query('SELECT DEFAULT_CHARACTER_SET_NAME AS charset, DEFAULT_COLLATION_NAME AS collation FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?', [name]);
        expect(schema).toEqual({ charset: 'utf8mb4', collation: 'utf8mb4_unicode_ci' });
        expect(await reader.query(`SELECT COUNT(*) AS n FROM \`${name}\`.authenticators`)).toEqual([{ n: 0 }]);
      } finally {
        await reader.query(`DROP DATABASE IF EXISTS \`${name}\``);
        await reader.close();
      }
    });

    it('a wrong user or password is one line naming the user', async () => {
      const user = `nobody_${randomBytes(4).toString('hex')}`;
      const refused = openDatabase({ kind: 'mariadb', url: mariadbUrl(`${prefix}_x`, { user, password: 'wrong' }) });
      await expect(refused).rejects.toBeInstanceOf(StartupError);
      await expect(refused).rejects.toThrow(new RegExp(`^MySQL/MariaDB at [\\w.]+:\\d+ refused user "${user}": check the user and password in DATABASE_URL\\.$`));
    });

    it('names the database, and the statement to run, when the account may not create it', async () => {
      const account = { user: `gw_${randomBytes(4).toString('hex')}`, password: randomBytes(9).toString('base64url') };
      const name = `${prefix}_absent_${randomBytes(4).toString('hex')}`;
      const reader = await mysqlReader(mariadbUrl(''));
      await reader.query(`CREATE USER '${account.user}'@'%' IDENTIFIED BY '${account.password}'`);
      try {
        const refused = openDatabase({ kind: 'mariadb', url: mariadbUrl(name, account) });
        await expect(refused).rejects.toBeInstanceOf(StartupError);
        await expect(refused).rejects.toThrow(
          new RegExp(`^Database "${name}" does not exist on [\\w.]+:\\d+ \\(or user "${account.user}" may not use it\\), and this account may not create it .*CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4`),
        );
        expect(await reader.query('SELECT 1 FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?', [name])).toEqual([]);
      } finally {
        await reader.query(`DROP USER '${account.user}'@'%'`);
        await reader.close();
      }
    });
  });
});
