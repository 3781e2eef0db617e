// better-auth (its twoFactor plugin, TOTP) as a peer measured in the same bench run as the gateway, on the same
// kind of database: SQLite through better-sqlite3, or MariaDB through mysql2 (better-auth's Kysely MySQL dialect).
// Plain ES module: better-auth ships ESM only, the bench compiles to CommonJS.
//
//   PORT (required), DATA_DIR (required, the SQLite file goes there), BETTER_AUTH_SECRET (required),
//   PEER_DATABASE_URL (optional: mysql://… of an existing, empty database; then MariaDB instead of SQLite)
//
// Settings a production deployment would have, with two exceptions stated in bench/README.md: better-auth's
// own rate limiter is off (the gateway's per-IP limits are raised far above what a run spends, the same idea),
// and cookies are not `Secure` (plain HTTP on 127.0.0.1).
import Database from 'better-sqlite3';
import { createPool } from 'mysql2/promise';
import { betterAuth } from 'better-auth';
import { getMigrations } from 'better-auth/db/migration';
import { toNodeHandler } from 'better-auth/node';
import { twoFactor } from 'better-auth/plugins';
import { createServer } from 'node:http';
import path from 'node:path';

const port = Number(process.env.PORT);
const baseURL = `http://127.0.0.1:${port}`;

function openDatabase() {
  if (process.env.PEER_DATABASE_URL) {
    // A mysql2 pool as the gateway's (20 connections, UTC): better-auth recognises it (getConnection) and runs
    // it through Kysely's MysqlDialect.
    return createPool({ uri: process.env.PEER_DATABASE_URL, connectionLimit: 20, timezone: 'Z', enableKeepAlive: true });
  }
  const sqlite = new Database(path.join(process.env.DATA_DIR, 'better-auth.sqlite'));
  // The same journal settings as the gateway's embedded database.
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('busy_timeout = 5000');
  return sqlite;
}

const auth = betterAuth({
  appName: 'Bench Peer',
  baseURL,
  secret: process.env.BETTER_AUTH_SECRET,
  database: openDatabase(),
  emailAndPassword: { enabled: true },
  plugins: [twoFactor({ issuer: 'Bench Peer' })],
  rateLimit: { enabled: false },
  telemetry: { enabled: false },
  advanced: { useSecureCookies: false },
  logger: { level: 'error' },
});

const { runMigrations } = await getMigrations(auth.options);
await runMigrations();

const handler = toNodeHandler(auth);
createServer((req, res) => {
  if (req.url === '/healthz') {
    res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
    return;
  }
  void handler(req, res);
}).listen(port, '127.0.0.1');
