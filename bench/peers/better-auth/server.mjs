// better-auth (its twoFactor plugin, TOTP) on SQLite through better-sqlite3, as a peer measured in the same
// bench run as the gateway. Plain ES module: better-auth ships ESM only, the bench compiles to CommonJS.
//
//   PORT (required), DATA_DIR (required, the SQLite file goes there), BETTER_AUTH_SECRET (required)
//
// Settings a production deployment would have, with two exceptions stated in bench/README.md: better-auth's
// own rate limiter is off (the gateway's per-IP limits are raised far above what a run spends, the same idea),
// and cookies are not `Secure` (plain HTTP on 127.0.0.1).
import Database from 'better-sqlite3';
import { betterAuth } from 'better-auth';
import { getMigrations } from 'better-auth/db/migration';
import { toNodeHandler } from 'better-auth/node';
import { twoFactor } from 'better-auth/plugins';
import { createServer } from 'node:http';
import path from 'node:path';

const port = Number(process.env.PORT);
const baseURL = `http://127.0.0.1:${port}`;
const sqlite = new Database(path.join(process.env.DATA_DIR, 'better-auth.sqlite'));
// The same journal settings as the gateway's embedded database.
sqlite.pragma('journal_mode = WAL');
sqlite.pragma('synchronous = NORMAL');
sqlite.pragma('busy_timeout = 5000');

const auth = betterAuth({
  appName: 'Bench Peer',
  baseURL,
  secret: process.env.BETTER_AUTH_SECRET,
  database: sqlite,
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
