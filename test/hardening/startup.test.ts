import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer, Server } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpListener } from '../../src/http/http-listener';
import { migrations } from '../../migrations';
import { databaseKinds, DatabaseKind } from '../helpers/databases';
import { ensureServerBuilt } from './build-check';
import { mysqlReader, spawnGateway } from './harness';

/**
 * What a newcomer reads when the gateway starts, or does not: one line for a port in use (and nothing written
 * before it), the database named in the ready line (and said when it was created just now), and what
 * `npm run migrate` applied.
 */
const ROOT = path.resolve(__dirname, '../..');
const KEYS = `k1:${randomBytes(32).toString('base64')}`;

/** A database that does not exist yet: a fresh SQLite folder, or a fresh MariaDB name under TEST_MYSQL_URL's prefix. */
function freshDatabase(kind: DatabaseKind): { dataDir: string; url?: string; name: string; exists(): Promise<boolean>; drop(): Promise<void> } {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'gateway-startup-'));
  const removeDir = () => rmSync(dataDir, { recursive: true, force: true });
  if (kind === 'sqlite') return { dataDir, name: path.join(dataDir, 'gateway.sqlite'), exists: async () => readdirSync(dataDir).includes('gateway.sqlite'), drop: async () => removeDir() };
  const given = new URL(process.env.TEST_MYSQL_URL!);
  const name = `${given.pathname.slice(1) || 'test'}_startup_${randomBytes(4).toString('hex')}`;
  const url = new URL(given);
  url.pathname = `/${name}`;
  const server = new URL(given);
  server.pathname = '/';
  const onServer = async <T>(work: (reader: Awaited<ReturnType<typeof mysqlReader>>) => Promise<T>) => {
    const reader = await mysqlReader(server.toString());
    try {
      return await work(reader);
    } finally {
      await reader.close();
    }
  };
  return {
    dataDir,
    url: url.toString(),
    name,
    exists: () => onServer(async (reader) => (await reader.query('SELECT 1 FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?', [name])).length === 1),
    drop: async () => {
      await onServer((reader) => reader.query(`DROP DATABASE IF EXISTS \`${name}\``));
      removeDir();
    },
  };
}

async function runBuilt(script: string, env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [path.join(ROOT, script)], { cwd: ROOT, env: { PATH: process.env.PATH, ...env }, timeout: 120_000 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe.each(databaseKinds)('starting the built gateway on %s', (kind) => {
  beforeAll(() => ensureServerBuilt());

  it('a port in use stops it with one line naming the port and PORT, before anything is written: no key, no database, no demo', async () => {
    const taken: Server = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const port = (taken.address() as { port: number }).port;
    const database = freshDatabase(kind);
    try {
      // Development defaults: a development key to generate, the demo to add; neither may happen.
      const env = { DATA_DIR: database.dataDir, HOST: '127.0.0.1', PORT: String(port), ...(database.url ? { DATABASE_URL: database.url } : {}) };
      const { code, stdout, stderr } = await runBuilt('dist/src/main.js', env);
      expect(code).toBe(1);
      expect(stdout).toBe('');
      expect(stderr).toBe(`Port ${port} on 127.0.0.1 is in use by another program (another gateway?): stop it, or set PORT to a free port, e.g. PORT=${port + 1}.\n`);
      expect(readdirSync(database.dataDir)).toEqual([]); // no encryption-keys, no gateway.sqlite
      expect(await database.exists()).toBe(false);
    } finally {
      taken.close();
      await database.drop();
    }
  });

  it('names the database in the ready line, says when it was created just now, and logs the migrations it applied', async () => {
    const database = freshDatabase(kind);
    const env = {
      NODE_ENV: 'production',
      PUBLIC_URL: 'https://gateway.test',
      MAIL_DELIVERY: 'files',
      ENCRYPTION_KEYS: KEYS,
      DATA_DIR: database.dataDir,
      LOG_LEVEL: 'info',
      ...(database.url ? { DATABASE_URL: database.url } : {}),
    };
    const described = kind === 'sqlite' ? `SQLite ${database.name}` : `${serverKind(database.url!)} database "${database.name}" on ${new URL(database.url!).hostname}:${new URL(database.url!).port || 3306}`;
    const ready = (output: string) => output.split('\n').filter((line) => line.includes('Gateway ready at')).map((line) => JSON.parse(line).msg as string);
    const logged = (output: string) => output.split('\n').filter((line) => line.startsWith('{')).map((line) => JSON.parse(line) as { msg: string; migrations?: string[] });
    try {
      const first = await spawnGateway(env);
      expect(await first.stop()).toBe(0);
      expect(ready(first.output())).toEqual([expect.stringMatching(new RegExp(`^Gateway ready at http://[\\d.]+:\\d+/graphql \\(${escape(described)}, created just now\\)$`))]);
      const applied = logged(first.output()).find((line) => line.migrations);
      expect(applied).toEqual({ ...applied, msg: `Applied ${migrations.length} migration(s) to ${described}`, migrations: migrations.map((migration) => migration.name) });
      if (kind !== 'sqlite') {
        expect(logged(first.output()).map((line) => line.msg)).toContain(
          `${described} did not exist: created it just now (utf8mb4). If you meant an existing database, check its name in DATABASE_URL.`,
        );
      }

      const second = await spawnGateway(env);
      expect(await second.stop()).toBe(0);
      expect(ready(second.output())).toEqual([expect.stringMatching(new RegExp(`\\(${escape(described)}\\)$`))]);
      expect(second.output()).not.toContain('created it just now');
      expect(second.output()).not.toContain('Applied');
    } finally {
      await database.drop();
    }
  });

  it('npm run migrate prints each migration it applied, then that the database is up to date', async () => {
    const database = freshDatabase(kind);
    const env = { NODE_ENV: 'production', PUBLIC_URL: 'https://gateway.test', MAIL_DELIVERY: 'files', ENCRYPTION_KEYS: KEYS, DATA_DIR: database.dataDir, ...(database.url ? { DATABASE_URL: database.url } : {}) };
    const described = kind === 'sqlite' ? `SQLite ${database.name}` : `${serverKind(database.url!)} database "${database.name}"`;
    try {
      const first = await runBuilt('dist/src/cli/migrate.js', env);
      expect(first.code, first.stderr).toBe(0);
      const lines = first.stdout.trimEnd().split('\n');
      const created = kind === 'sqlite' ? [] : [expect.stringMatching(new RegExp(`^migrations: ${escape(described)}.* did not exist: created it just now`))];
      expect(lines).toEqual([
        ...created,
        ...migrations.map((migration) => `migrations: applied ${migration.name}`),
        expect.stringMatching(new RegExp(`^migrations: ${escape(described)}.* is up to date \\(${migrations.length} applied now\\)$`)),
      ]);
      const again = await runBuilt('dist/src/cli/migrate.js', env);
      expect(again.stdout).toMatch(new RegExp(`^migrations: ${escape(described)}.* is up to date \\(nothing to apply\\)\\n$`));
    } finally {
      await database.drop();
    }
  });
});

describe('the listener bound before the gateway is built', () => {
  let listener: HttpListener;
  let url: string;
  beforeAll(async () => {
    listener = new HttpListener();
    url = await listener.listen(0, '127.0.0.1');
  });
  afterAll(() => new Promise<void>((resolve) => listener.server.close(() => resolve())));

  it('answers 503 with Retry-After to every request, /healthz included, until the gateway serves', async () => {
    for (const route of ['/healthz', '/graphql', '/']) {
      const starting = await fetch(`${url}${route}`);
      expect(starting.status, route).toBe(503);
      expect(starting.headers.get('retry-after')).toBe('1');
      expect(await starting.json()).toEqual({ status: 'starting' });
    }
    listener.serve((_req, res) => res.end('serving'));
    expect(await (await fetch(`${url}/healthz`)).text()).toBe('serving');
    expect(await listener.listen(0, '127.0.0.1')).toBe(url); // bound once: listening again answers where it is
  });
});

/** How the gateway names a server: by DATABASE_URL's scheme (TEST_MYSQL_URL may say mysql:// for a MariaDB). */
function serverKind(url: string): string {
  return url.startsWith('mariadb:') ? 'MariaDB' : 'MySQL';
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}
