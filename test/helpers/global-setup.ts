import { createConnection } from 'mysql2/promise';
import { explainConnectionError } from '../../src/db/mysql-connect';

/**
 * Runs once before the suite. Without TEST_MYSQL_URL it says, in one line, what is skipped; with it, it checks
 * the server answers, so an unreachable one stops the run at once with one clear line rather than a driver stack in every file.
 */
export default async function setup(): Promise<void> {
  const url = process.env.TEST_MYSQL_URL;
  if (!url) {
    console.log(
      'TEST_MYSQL_URL is not set: running on SQLite only. Skipped: the MariaDB half of every api/ and hardening/ file, ' +
        'and the MariaDB-only promises (two gateway processes on one database, database faults and outages, ' +
        'SECURITY.md 1, 15, 16). Set TEST_MYSQL_URL=mysql://root@127.0.0.1:3306/test to run them.',
    );
    return;
  }
  const server = new URL(url);
  server.pathname = '/'; // the database it names is only a prefix for the scratch ones: it need not exist
  try {
    const connection = await createConnection({ uri: server.toString().replace(/^mariadb:/, 'mysql:'), connectTimeout: 3000 });
    await connection.end();
  } catch (error) {
    const explained = explainConnectionError(error, url, 'TEST_MYSQL_URL');
    console.error(`TEST_MYSQL_URL: ${explained instanceof Error ? explained.message : String(explained)}`);
    process.exit(1);
  }
}
