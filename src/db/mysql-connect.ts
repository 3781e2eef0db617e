import { createConnection, ResultSetHeader } from 'mysql2/promise';
import type { DataSource } from 'typeorm';
import { StartupError } from '../errors/startup-error';

/**
 * Connects a MySQL/MariaDB data source, creating its database when it does not exist yet and the account may
 * (utf8mb4, as the migrations expect); answers whether it created it. Anything that stops it becomes one line
 * that names the server or the database and says what to check, instead of the driver's stack.
 */
export async function connectMysql(dataSource: DataSource, url: string): Promise<{ created: boolean }> {
  try {
    await dataSource.initialize();
    return { created: false };
  } catch (error) {
    // MariaDB answers "access denied" rather than "unknown database" to an account with no rights on a name.
    if (!['ER_BAD_DB_ERROR', 'ER_DBACCESS_DENIED_ERROR'].includes(driverCode(error))) throw explainConnectionError(error, url);
  }
  const created = await createDatabaseIfMissing(url);
  try {
    await dataSource.initialize();
  } catch (error) {
    throw explainConnectionError(error, url);
  }
  return { created };
}

/**
 * `CREATE DATABASE IF NOT EXISTS` for the database the URL names, connected to the server without one; answers
 * whether this statement created it (one affected row; none, with a warning, when it existed).
 */
export async function createDatabaseIfMissing(url: string, setting = 'DATABASE_URL'): Promise<boolean> {
  const name = databaseName(url);
  let connection;
  try {
    connection = await createConnection({ uri: serverUrl(url), connectTimeout: 3000 });
  } catch (error) {
    throw explainConnectionError(error, url, setting);
  }
  try {
    const [result] = await connection.query<ResultSetHeader>(`CREATE DATABASE IF NOT EXISTS \`${name.replace(/`/g, '``')}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
    return result.affectedRows === 1;
  } catch (error) {
    const user = decodeURIComponent(new URL(url).username);
    throw new StartupError(
      `Database "${name}" does not exist on ${hostPort(url)} (or user "${user}" may not use it), and this account may not create it ` +
        `(${driverCode(error) || (error as Error).message}): create it with CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 ` +
        `COLLATE utf8mb4_unicode_ci and grant the account all privileges on it, or name another database in ${setting}.`,
    );
  } finally {
    await connection.end().catch(() => undefined);
  }
}

/** One line for the usual ways a connection fails; anything else is left as it came. */
export function explainConnectionError(error: unknown, url: string, setting = 'DATABASE_URL'): unknown {
  const where = hostPort(url);
  const user = decodeURIComponent(new URL(url).username) || '(no user)';
  switch (driverCode(error)) {
    case 'ECONNREFUSED':
      return new StartupError(`Cannot connect to MySQL/MariaDB at ${where}: connection refused. Check that the server is running there and that ${setting}'s host and port are right.`);
    case 'ETIMEDOUT':
    case 'EHOSTUNREACH':
      return new StartupError(`Cannot connect to MySQL/MariaDB at ${where}: no answer. Check the host and port in ${setting} and any firewall between.`);
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return new StartupError(`Cannot connect to MySQL/MariaDB at ${where}: the host name does not resolve. Check the host in ${setting}.`);
    case 'ER_ACCESS_DENIED_ERROR':
    case 'ER_ACCESS_DENIED_NO_PASSWORD_ERROR':
      return new StartupError(`MySQL/MariaDB at ${where} refused user "${user}": check the user and password in ${setting}.`);
    case 'ER_HOST_NOT_PRIVILEGED':
      return new StartupError(`MySQL/MariaDB at ${where} does not accept connections from this host: grant user "${user}" access from it.`);
    case 'ER_DBACCESS_DENIED_ERROR':
      return new StartupError(`MySQL/MariaDB at ${where}: user "${user}" may not use database "${databaseName(url)}". Grant it, or name another database in ${setting}.`);
    default:
      return error;
  }
}

/** `MariaDB database "gateway" on db.internal:3306`: where the gateway keeps its data, for its log (no credentials). */
export function describeMysqlDatabase(url: string, kind: 'mysql' | 'mariadb'): string {
  return `${kind === 'mariadb' ? 'MariaDB' : 'MySQL'} database "${databaseName(url)}" on ${hostPort(url)}`;
}

function databaseName(url: string): string {
  return decodeURIComponent(new URL(url).pathname.slice(1));
}

/** The same server and account, without a database (and with any query options kept). */
function serverUrl(url: string): string {
  const server = new URL(url);
  server.pathname = '/';
  // mysql2 reads only the mysql: scheme; the mariadb:// spelling means the same server.
  return server.toString().replace(/^mariadb:/, 'mysql:');
}

function hostPort(url: string): string {
  const { hostname, port } = new URL(url);
  return `${hostname}:${port || 3306}`;
}

function driverCode(error: unknown): string {
  const e = error as { code?: unknown; driverError?: { code?: unknown } };
  return String(e?.driverError?.code ?? e?.code ?? '');
}
