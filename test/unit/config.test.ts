import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, writeDevelopmentKey } from '../../src/config';

const key = () => randomBytes(32).toString('base64');
const dataDir = () => mkdtempSync(path.join(tmpdir(), 'gateway-config-'));

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
    return [];
  } catch (error) {
    return (error as ConfigError).problems;
  }
}

describe('configuration', () => {
  it('defaults to port 4000 and the SQLite file under the data directory', () => {
    const dir = dataDir();
    const config = loadConfig({ DATA_DIR: dir, ENCRYPTION_KEYS: `k1:${key()}` });
    expect(config.port).toBe(4000);
    expect(config.database).toEqual({ kind: 'sqlite', file: path.join(dir, 'gateway.sqlite') });
    expect(config.introspection).toBe(true);
  });

  it('generates a development key into the data directory, with a warning, and reuses it', () => {
    const dir = dataDir();
    const first = loadConfig({ DATA_DIR: dir });
    expect(existsSync(path.join(dir, 'encryption-keys'))).toBe(true);
    expect(first.warnings.join()).toMatch(/ENCRYPTION_KEYS is not set/);
    expect(loadConfig({ DATA_DIR: dir }).encryptionKeys[0].key.equals(first.encryptionKeys[0].key)).toBe(true);
    expect(readFileSync(path.join(dir, 'encryption-keys'), 'utf8')).toMatch(/^dev1:/);
  });

  it('keeps a generated development key in memory until writeDevelopmentKey when asked to, and writes nothing for a configuration it refuses', () => {
    const dir = dataDir();
    const deferred = loadConfig({ DATA_DIR: dir }, { writeDevelopmentKey: false });
    expect(existsSync(path.join(dir, 'encryption-keys'))).toBe(false);
    writeDevelopmentKey(deferred);
    expect(loadConfig({ DATA_DIR: dir }).encryptionKeys[0].key.equals(deferred.encryptionKeys[0].key)).toBe(true);
    writeDevelopmentKey(deferred); // once only

    const refused = dataDir();
    expect(problemsOf({ DATA_DIR: refused, PORT: 'eighty' })).toHaveLength(1);
    expect(existsSync(path.join(refused, 'encryption-keys'))).toBe(false);
  });

  it('refuses to start in production without ENCRYPTION_KEYS', () => {
    expect(problemsOf({ NODE_ENV: 'production', DATA_DIR: dataDir() }).join()).toMatch(/ENCRYPTION_KEYS is required in production/);
  });

  it('turns introspection and the playground off in production unless configured on', () => {
    const config = loadConfig({ NODE_ENV: 'production', PUBLIC_URL: 'https://auth.example.com', MAIL_DELIVERY: 'off', ENCRYPTION_KEYS: `k1:${key()}`, DATA_DIR: dataDir() });
    expect([config.introspection, config.playground]).toEqual([false, false]);
    const on = loadConfig({ NODE_ENV: 'production', PUBLIC_URL: 'https://auth.example.com', MAIL_DELIVERY: 'off', ENCRYPTION_KEYS: `k1:${key()}`, DATA_DIR: dataDir(), GRAPHQL_INTROSPECTION: 'true' });
    expect(on.introspection).toBe(true);
  });

  it('picks MySQL or MariaDB by URL scheme', () => {
    const env = { ENCRYPTION_KEYS: `k1:${key()}`, DATA_DIR: dataDir() };
    expect(loadConfig({ ...env, DATABASE_URL: 'mysql://u:p@db:3306/gw' }).database.kind).toBe('mysql');
    expect(loadConfig({ ...env, DATABASE_URL: 'mariadb://u:p@db:3306/gw' }).database.kind).toBe('mariadb');
  });

  it('lists every bad setting at once, each with a clear message', () => {
    const problems = problemsOf({
      PORT: 'eighty',
      DATABASE_URL: 'postgres://db/gw',
      ENCRYPTION_KEYS: `k1:${randomBytes(16).toString('base64')},k1:${key()},:nokey`,
      GRAPHQL_INTROSPECTION: 'maybe',
      DATA_DIR: dataDir(),
    });
    expect(problems).toEqual([
      expect.stringMatching(/^PORT must be an integer/),
      expect.stringMatching(/^DATABASE_URL must start with mysql:\/\/ or mariadb:\/\//),
      expect.stringMatching(/key "k1" must decode to 32 bytes/),
      expect.stringMatching(/each entry must be id:base64/),
      expect.stringMatching(/^GRAPHQL_INTROSPECTION must be true or false/),
    ]);
  });

  it('wants PUBLIC_URL in production (https, or a loopback address) and defaults it to http://localhost:PORT in development', () => {
    const env = { ENCRYPTION_KEYS: `k1:${key()}`, DATA_DIR: dataDir(), MAIL_DELIVERY: 'off' };
    expect(loadConfig(env).publicUrl).toBe('http://localhost:4000');
    expect(loadConfig({ ...env, PORT: '0' }).publicUrl).toBeNull(); // where it listens
    expect(loadConfig({ ...env, PUBLIC_URL: 'https://auth.example.com/' }).publicUrl).toBe('https://auth.example.com');
    expect(problemsOf({ ...env, NODE_ENV: 'production' }).join()).toMatch(/PUBLIC_URL is required in production/);
    expect(problemsOf({ ...env, NODE_ENV: 'production', PUBLIC_URL: 'http://auth.example.com' }).join()).toMatch(/PUBLIC_URL must use https in production/);
    expect(problemsOf({ ...env, NODE_ENV: 'production', PUBLIC_URL: 'http://127.0.0.1:4000' })).toEqual([]);
    expect(problemsOf({ ...env, PUBLIC_URL: 'ftp://x?y' }).join()).toMatch(/PUBLIC_URL must be an http\(s\) address/);
  });

  it('listens on 127.0.0.1 in development and on every interface in production, unless HOST says otherwise', () => {
    const env = { ENCRYPTION_KEYS: `k1:${key()}`, DATA_DIR: dataDir(), MAIL_DELIVERY: 'off' };
    expect(loadConfig(env).host).toBe('127.0.0.1');
    expect(loadConfig({ ...env, NODE_ENV: 'production', PUBLIC_URL: 'https://auth.example.com' }).host).toBe('0.0.0.0');
    expect(loadConfig({ ...env, NODE_ENV: 'production', PUBLIC_URL: 'https://auth.example.com', HOST: '10.0.0.5' }).host).toBe('10.0.0.5');
    expect(loadConfig({ ...env, HOST: '::' }).host).toBe('::');
    expect(problemsOf({ ...env, HOST: 'http://example.test/' })).toEqual([expect.stringMatching(/^HOST must be an interface address/)]);
  });

  it('takes sign-ups openly in development and by invitation only in production, unless SIGN_UP says otherwise', () => {
    const dir = dataDir();
    const production = { NODE_ENV: 'production', PUBLIC_URL: 'https://auth.example.com', ENCRYPTION_KEYS: `k1:${key()}`, DATA_DIR: dir, MAIL_DELIVERY: 'off' };
    expect(loadConfig({ DATA_DIR: dir, ENCRYPTION_KEYS: `k1:${key()}` }).signUp).toBe('open');
    expect(loadConfig(production).signUp).toBe('invitation-only');
    expect(loadConfig({ ...production, SIGN_UP: 'closed' }).signUp).toBe('closed');
    expect(loadConfig({ ...production, SIGN_UP: 'open' }).signUp).toBe('open');
    expect(problemsOf({ ...production, SIGN_UP: 'invite-only' }).join()).toMatch(/SIGN_UP must be one of open, invitation-only, closed, got "invite-only"/);
  });

  it('names where the encryption keys came from, for start-up messages', () => {
    const dir = dataDir();
    expect(loadConfig({ ENCRYPTION_KEYS: `k1:${key()}`, DATA_DIR: dir }).encryptionKeySource).toBe('ENCRYPTION_KEYS');
    expect(loadConfig({ DATA_DIR: dir }).encryptionKeySource).toMatch(/development key file .*encryption-keys \(ENCRYPTION_KEYS is not set\)/);
  });

  it('.env.example lists every setting config.ts reads', () => {
    const root = path.resolve(__dirname, '../..');
    const source = readFileSync(path.join(root, 'src/config.ts'), 'utf8');
    const read = new Set([...source.matchAll(/\benv(?:\.|, ')([A-Z][A-Z0-9_]+)/g)].map((m) => m[1]));
    const listed = new Set([...readFileSync(path.join(root, '.env.example'), 'utf8').matchAll(/^# ([A-Z][A-Z0-9_]+)=/gm)].map((m) => m[1]));
    expect(read.size).toBeGreaterThan(10);
    expect([...read].filter((name) => !listed.has(name))).toEqual([]);
  });

  it('mail: .eml files in development, SMTP with SMTP_URL, and production refuses to start without SMTP_URL unless MAIL_DELIVERY is said', () => {
    const env = { ENCRYPTION_KEYS: `k1:${key()}`, DATA_DIR: dataDir() };
    const production = { ...env, NODE_ENV: 'production', PUBLIC_URL: 'https://auth.example.com' };
    expect(loadConfig(env).mail).toEqual({ delivery: 'files', smtpUrl: null, from: 'Tenant 2FA <no-reply@localhost>', pollIntervalMs: 5000 });
    expect(loadConfig({ ...env, SMTP_URL: 'smtp://u:p@127.0.0.1:2525' }).mail.delivery).toBe('smtp');
    expect(problemsOf(production)).toEqual([expect.stringMatching(/^SMTP_URL is required in production: .* or MAIL_DELIVERY=off to run without e-mail/)]);
    expect(problemsOf({ ...production, MAIL_DELIVERY: 'off' })).toEqual([]);
    expect(problemsOf({ ...production, SMTP_URL: 'smtps://u:secret@mail.example.com:465' }).join()).toMatch(/MAIL_FROM is required with SMTP_URL in production/);
    expect(problemsOf({ ...production, SMTP_URL: 'smtps://u:secret@mail.example.com:465', MAIL_FROM: 'Example <no-reply@example.com>' })).toEqual([]);
    const bad = problemsOf({ ...env, SMTP_URL: 'http://u:secret@mail.example.com', MAIL_FROM: 'not an address', MAIL_DELIVERY: 'pigeon' });
    expect(bad.join('\n')).toMatch(/SMTP_URL must look like smtp:/);
    expect(bad.join('\n')).toMatch(/MAIL_FROM must be an address/);
    expect(bad.join('\n')).toMatch(/MAIL_DELIVERY must be smtp, files or off/);
    expect(bad.join('\n')).not.toContain('secret'); // a password in SMTP_URL is never repeated
    expect(problemsOf({ ...env, SMTP_URL: 'smtp://mail.example.com', MAIL_DELIVERY: 'files' }).join()).toMatch(/SMTP_URL is set but MAIL_DELIVERY=files/);
  });

  it('reads the access-token settings: audiences (the first the default), lifetime up to 5 minutes, key age, introspection secret', () => {
    const defaults = loadConfig({ DATA_DIR: dataDir(), ENCRYPTION_KEYS: `k1:${key()}` });
    expect(defaults.accessTokens).toEqual({ audiences: [], ttlSeconds: 300, signingKeyMaxAgeDays: 90, introspectionToken: null });
    const set = loadConfig({
      DATA_DIR: dataDir(),
      ENCRYPTION_KEYS: `k1:${key()}`,
      TOKEN_AUDIENCES: ' https://api.example.com , billing ',
      ACCESS_TOKEN_TTL_SECONDS: '60',
      SIGNING_KEY_MAX_AGE_DAYS: '30',
      INTROSPECTION_TOKEN: 'a-long-enough-secret',
    });
    expect(set.accessTokens).toEqual({ audiences: ['https://api.example.com', 'billing'], ttlSeconds: 60, signingKeyMaxAgeDays: 30, introspectionToken: 'a-long-enough-secret' });
    const problems = problemsOf({ DATA_DIR: dataDir(), ACCESS_TOKEN_TTL_SECONDS: '301', SIGNING_KEY_MAX_AGE_DAYS: '0', INTROSPECTION_TOKEN: 'short', TOKEN_AUDIENCES: 'a,a' }).join('\n');
    expect(problems).toMatch(/ACCESS_TOKEN_TTL_SECONDS must be an integer from 1 to 300/);
    expect(problems).toMatch(/SIGNING_KEY_MAX_AGE_DAYS must be an integer from 1 to 3650/);
    expect(problems).toMatch(/INTROSPECTION_TOKEN must be at least 16 characters/);
    expect(problems).toMatch(/TOKEN_AUDIENCES lists an audience twice/);
  });

  it('reads PRIVILEGED_MAX_AGE_SECONDS: 15 minutes by default, any whole number of seconds from 1', () => {
    const base = { DATA_DIR: dataDir(), ENCRYPTION_KEYS: `k1:${key()}` };
    expect(loadConfig(base).privilegedMaxAgeSeconds).toBe(900);
    expect(loadConfig({ ...base, PRIVILEGED_MAX_AGE_SECONDS: '1' }).privilegedMaxAgeSeconds).toBe(1);
    expect(loadConfig({ ...base, PRIVILEGED_MAX_AGE_SECONDS: '86400' }).privilegedMaxAgeSeconds).toBe(86400);
    for (const bad of ['0', '-5', '1.5', 'soon']) expect(problemsOf({ ...base, PRIVILEGED_MAX_AGE_SECONDS: bad }).join()).toMatch(/PRIVILEGED_MAX_AGE_SECONDS must be an integer from 1/);
  });
});
