import { createConnection } from 'mysql2/promise';
import { explainConnectionError } from '../../src/db/mysql-connect';

/**
 * What a run without TEST_MYSQL_URL leaves unproven: guarantees whose failure only MariaDB shows (SQLite's
 * single writer and byte-wise comparisons make them hold there whatever the code does), and the files that
 * need a MariaDB server at all. Each names the SECURITY.md promise and the test that proves it.
 */
const UNCHECKED_WITHOUT_MARIADB = [
  'one TOTP code wins once across processes: the replay condition in the claim statement (SECURITY.md 1: processes.test.ts, two-processes.test.ts)',
  'the 10-failure lock holds for answers in flight, decided in the accepting statement (SECURITY.md 25: lock-in-flight.test.ts)',
  'a database outage fails fast and heals; deploys drop nothing (SECURITY.md 15, 16: faults.test.ts)',
  'the sign-in lock and accounts against other spellings of an e-mail under a folding collation (SECURITY.md 20: sign-in.account-lock.test.ts, accounts.email-spelling.test.ts)',
  'ids in another spelling cannot act through a case- or pad-insensitive collation (SECURITY.md 8: ids.canonical.test.ts)',
  'the migration lock between processes, and connecting to MySQL/MariaDB (migration-lock.test.ts, database-setup.test.ts)',
  'the MariaDB half of every file in test/api, test/hardening, test/cli and test/e2e',
];

/** A banner that stands out from the test output, at the start of the run and again under its summary. */
function uncheckedBanner(): string {
  const rule = '='.repeat(100);
  return [
    '',
    rule,
    'NOT CHECKED: TEST_MYSQL_URL is not set, so this run ran on SQLite only and proved none of these:',
    ...UNCHECKED_WITHOUT_MARIADB.map((line) => `  - ${line}`),
    'Run them with TEST_MYSQL_URL=mysql://root@127.0.0.1:3306/test npm test (CI does).',
    rule,
    '',
  ].join('\n');
}

/**
 * Runs once before the suite. Without TEST_MYSQL_URL it says, loudly, what goes unchecked, and says it again
 * after the summary (the teardown), where a reader of the run's end looks; with it, it checks the server
 * answers, so an unreachable one stops the run at once with one clear line rather than a driver stack in every file.
 */
export default async function setup(): Promise<(() => void) | void> {
  const url = process.env.TEST_MYSQL_URL;
  if (!url) {
    process.stderr.write(uncheckedBanner());
    return () => void process.stderr.write(uncheckedBanner());
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
