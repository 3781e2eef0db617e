import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { StartupError } from './errors/startup-error';

/** One 32-byte AES-256 key and the id stored beside every ciphertext it made. */
export interface EncryptionKey {
  id: string;
  key: Buffer;
}

/** SIGN_UP: who may create an account with signUp. */
export const SIGN_UP_MODES = ['open', 'invitation-only', 'closed'] as const;
export type SignUpSetting = (typeof SIGN_UP_MODES)[number];

export type DatabaseConfig =
  | { kind: 'sqlite'; file: string }
  | { kind: 'mysql' | 'mariadb'; url: string };

export interface Config {
  isProduction: boolean;
  /** PORT, default 4000. */
  port: number;
  /** HOST: the interface to listen on. Default 127.0.0.1 (this machine only) in development, 0.0.0.0 in production. */
  host: string;
  /** DATA_DIR: the folder of the embedded database, the development key and the development mail outbox. Default ./data. */
  dataDir: string;
  /**
   * PUBLIC_URL: the gateway's address as browsers reach it (e.g. https://auth.example.com), without a trailing
   * slash; links in e-mails, the tokens' issuer, device sign-in and single sign-on use it. Required in
   * production. Development default http://localhost:PORT; null on port 0: the address it listens on (src/http/public-url.ts).
   */
  publicUrl: string | null;
  /** DATABASE_URL: unset → SQLite file under DATA_DIR; mysql:// or mariadb:// → MySQL/MariaDB. */
  database: DatabaseConfig;
  /** ENCRYPTION_KEYS `id:base64,…`, the first one current. Dev default: generated into DATA_DIR. */
  encryptionKeys: EncryptionKey[];
  /** Where the keys came from, for messages: "ENCRYPTION_KEYS" or the development key file. */
  encryptionKeySource: string;
  /** SESSION_TTL_HOURS, default 12. */
  sessionTtlMs: number;
  /** GRAPHQL_INTROSPECTION, default on in development, off in production. */
  introspection: boolean;
  /** GRAPHQL_PLAYGROUND, default on in development, off in production. */
  playground: boolean;
  /**
   * SIGN_UP: `open` (anyone may sign up; default in development), `invitation-only` (only with an invitation's
   * token; default in production) or `closed` (no sign-up at all; `npm run create-owner` makes accounts).
   */
  signUp: SignUpSetting;
  /** SEED_DEMO: add the demo tenants and accounts to an empty database at start-up. Default on in development. */
  seedDemo: boolean;
  /** CORS_ORIGINS: browser origins allowed to call the API with credentials (comma-separated). Default none. */
  corsOrigins: string[];
  /** TRUSTED_PROXY_HOPS: reverse proxies in front of the gateway whose X-Forwarded-For is believed. Default 0. */
  trustedProxyHops: number;
  /**
   * Per client IP and minute; 0 turns a limit off. RATE_LIMIT_SIGN_IN_PER_MINUTE (30), RATE_LIMIT_ANSWERS_PER_MINUTE (60).
   * Per agent and hour: RATE_LIMIT_TENANT_CHANGES_PER_HOUR (60), createTenant, addTenantMember and
   * inviteTenantMember together. Per client IP and per agent, each, and minute: RATE_LIMIT_REAUTH_PER_MINUTE (10),
   * password re-checks of sensitive mutations, right or wrong (each costs an argon2 verification). Per address and
   * hour, and per client IP and hour: RATE_LIMIT_ACCOUNT_MAILS_PER_HOUR (5), password-reset requests and
   * verification e-mails together.
   */
  rateLimits: { signInPerMinute: number; answersPerMinute: number; tenantChangesPerHour: number; reauthPerMinute: number; accountMailsPerHour: number };
  /** METRICS_TOKEN: /metrics wants `Authorization: Bearer <it>`. Unset: /metrics is off in production, open in development. */
  metricsToken: string | null;
  /** GRAPHQL_MAX_COMPLEXITY: the most a document may cost (src/http/graphql-limits.ts), default 10000. */
  maxComplexity: number;
  /** LOG_LEVEL (pino): default info, silent under NODE_ENV=test. */
  logLevel: string;
  /**
   * Passkeys. WEBAUTHN_RP_ID: the relying party id, a domain the console's origin belongs to (default localhost).
   * WEBAUTHN_ORIGINS: the origins (comma-separated) assertions may come from (default the gateway's own
   * http://localhost:PORT). In production every origin must be https, except http://localhost.
   */
  webauthn: { rpId: string; origins: string[] };
  /** E-mail: how messages leave the outbox (src/mail/). */
  mail: MailConfig;
  /**
   * Access tokens for the services behind the gateway (src/tokens/). TOKEN_AUDIENCES: the `aud` values a token
   * may carry (comma-separated), the first being the default; unset, the only audience is PUBLIC_URL.
   * ACCESS_TOKEN_TTL_SECONDS: a token's lifetime, 1 to 300 (default 300). SIGNING_KEY_MAX_AGE_DAYS: a signing key
   * older than this is rotated (default 90). INTROSPECTION_TOKEN: POST /oauth/introspect wants
   * `Authorization: Bearer <it>`; unset, introspection is off.
   */
  accessTokens: { audiences: string[]; ttlSeconds: number; signingKeyMaxAgeDays: number; introspectionToken: string | null };
  /** Warnings gathered while loading (e.g. a generated development key), printed by the caller. */
  warnings: string[];
}

/**
 * MAIL_DELIVERY: `smtp` (through SMTP_URL), `files` (each message an .eml file under DATA_DIR/outbox, its path
 * logged) or `off` (no message is written at all). Default `smtp` when SMTP_URL is set, else `files` in
 * development; production without SMTP_URL refuses to start unless MAIL_DELIVERY says otherwise, because
 * security notices (and sign-up, password resets and invitations) need mail.
 */
export type MailDelivery = 'smtp' | 'files' | 'off';

export interface MailConfig {
  delivery: MailDelivery;
  /** SMTP_URL: smtp://user:pass@host:587 (STARTTLS when offered; required in production off loopback) or smtps://…:465. */
  smtpUrl: string | null;
  /** MAIL_FROM: the sender, `address` or `Name <address>`. Required with SMTP in production; dev default below. */
  from: string;
  /** MAIL_POLL_INTERVAL_MS: how often each process looks for messages due (others' and retries), default 5000. */
  pollIntervalMs: number;
}

const DEVELOPMENT_MAIL_FROM = 'Tenant 2FA <no-reply@localhost>';

export class ConfigError extends StartupError {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

type Env = Record<string, string | undefined>;

/** The only reader of process.env: validates everything once and fails with every problem listed. */
export function loadConfig(env: Env = process.env): Config {
  const problems: string[] = [];
  const warnings: string[] = [];
  const isProduction = env.NODE_ENV === 'production';
  const dataDir = path.resolve(env.DATA_DIR ?? 'data');

  const port = integer(env, 'PORT', 4000, 0, 65535, problems);
  const host = env.HOST || (isProduction ? '0.0.0.0' : '127.0.0.1');
  if (!/^[\w.:-]+$/.test(host)) problems.push(`HOST must be an interface address or host name like 127.0.0.1, 0.0.0.0 or ::, got "${host}"`);
  const sessionTtlHours = integer(env, 'SESSION_TTL_HOURS', 12, 1, 24 * 90, problems);
  const database = parseDatabaseUrl(env.DATABASE_URL, dataDir, problems);
  // Development: the console's own address (as WEBAUTHN_ORIGINS defaults), or, on port 0, where it listens.
  const publicUrl = parsePublicUrl(env.PUBLIC_URL, isProduction, problems) ?? (!isProduction && port ? `http://localhost:${port}` : null);
  const encryptionKeys = parseEncryptionKeys(env.ENCRYPTION_KEYS, isProduction, dataDir, problems, warnings);
  const introspection = flag(env, 'GRAPHQL_INTROSPECTION', !isProduction, problems);
  const playground = flag(env, 'GRAPHQL_PLAYGROUND', !isProduction, problems);
  const seedDemo = flag(env, 'SEED_DEMO', !isProduction, problems);
  const signUp = (env.SIGN_UP || (isProduction ? 'invitation-only' : 'open')) as SignUpSetting;
  if (!SIGN_UP_MODES.includes(signUp)) problems.push(`SIGN_UP must be one of ${SIGN_UP_MODES.join(', ')}, got "${signUp}"`);
  const corsOrigins = (env.CORS_ORIGINS ?? '').split(',').map((o) => o.trim()).filter(Boolean);
  for (const origin of corsOrigins) {
    if (!/^https?:\/\/[^/\s]+$/.test(origin)) problems.push(`CORS_ORIGINS: "${origin}" is not an origin like https://console.example.com`);
  }
  const trustedProxyHops = integer(env, 'TRUSTED_PROXY_HOPS', 0, 0, 10, problems);
  const rateLimits = {
    signInPerMinute: integer(env, 'RATE_LIMIT_SIGN_IN_PER_MINUTE', 30, 0, 1_000_000, problems),
    answersPerMinute: integer(env, 'RATE_LIMIT_ANSWERS_PER_MINUTE', 60, 0, 1_000_000, problems),
    tenantChangesPerHour: integer(env, 'RATE_LIMIT_TENANT_CHANGES_PER_HOUR', 60, 0, 1_000_000, problems),
    reauthPerMinute: integer(env, 'RATE_LIMIT_REAUTH_PER_MINUTE', 10, 0, 1_000_000, problems),
    accountMailsPerHour: integer(env, 'RATE_LIMIT_ACCOUNT_MAILS_PER_HOUR', 5, 0, 1_000_000, problems),
  };
  const metricsToken = env.METRICS_TOKEN || null;
  if (metricsToken && metricsToken.length < 16) problems.push('METRICS_TOKEN must be at least 16 characters (e.g. $(openssl rand -hex 32))');
  if (isProduction && !metricsToken) warnings.push('METRICS_TOKEN is not set: /metrics is off. Set it to let a scraper in with `Authorization: Bearer <token>`.');
  const maxComplexity = integer(env, 'GRAPHQL_MAX_COMPLEXITY', 10_000, 100, 1_000_000, problems);
  const logLevel = env.LOG_LEVEL ?? (env.NODE_ENV === 'test' ? 'silent' : 'info');
  if (!['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].includes(logLevel)) {
    problems.push(`LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent; got "${logLevel}"`);
  }

  const webauthn = parseWebAuthn(env, port, isProduction, problems);
  const mail = parseMail(env, isProduction, problems);
  const accessTokens = parseAccessTokens(env, problems);

  if (problems.length) throw new ConfigError(problems);
  return {
    isProduction,
    port,
    host,
    dataDir,
    publicUrl,
    database,
    encryptionKeys,
    encryptionKeySource: env.ENCRYPTION_KEYS ? 'ENCRYPTION_KEYS' : `the development key file ${path.join(dataDir, 'encryption-keys')} (ENCRYPTION_KEYS is not set)`,
    sessionTtlMs: sessionTtlHours * 3600_000,
    introspection,
    playground,
    seedDemo,
    signUp,
    corsOrigins,
    trustedProxyHops,
    rateLimits,
    metricsToken,
    maxComplexity,
    logLevel,
    webauthn,
    mail,
    accessTokens,
    warnings,
  };
}

function parseMail(env: Env, isProduction: boolean, problems: string[]): MailConfig {
  const smtpUrl = (env.SMTP_URL ?? '').trim() || null;
  const pollIntervalMs = integer(env, 'MAIL_POLL_INTERVAL_MS', 5000, 20, 600_000, problems);
  const given = (env.MAIL_DELIVERY ?? '').trim();
  if (given && !['smtp', 'files', 'off'].includes(given)) problems.push(`MAIL_DELIVERY must be smtp, files or off, got "${given}"`);
  const delivery = (given || (smtpUrl ? 'smtp' : isProduction ? '' : 'files')) as MailDelivery | '';
  if (!delivery) {
    problems.push(
      'SMTP_URL is required in production: security notices (and sign-up, password resets, invitations) are sent by e-mail. ' +
        'Set SMTP_URL=smtps://user:password@mail.example.com:465 and MAIL_FROM, or MAIL_DELIVERY=off to run without e-mail (no notice is sent)',
    );
  }
  if (delivery === 'smtp' && !smtpUrl) problems.push('MAIL_DELIVERY=smtp needs SMTP_URL (smtp://user:password@host:587 or smtps://…:465)');
  if (smtpUrl && given && delivery !== 'smtp') problems.push(`SMTP_URL is set but MAIL_DELIVERY=${given}: unset one of them`);
  if (smtpUrl && !isSmtpUrl(smtpUrl)) problems.push('SMTP_URL must look like smtp://user:password@host:587 or smtps://user:password@host:465 (URL-encode special characters)');
  const from = (env.MAIL_FROM ?? '').trim();
  if (from && !/^([^<>\r\n]*<[^\s@<>]+@[^\s@<>]+>|[^\s@<>]+@[^\s@<>]+)$/.test(from)) {
    problems.push(`MAIL_FROM must be an address or "Name <address>", got "${from}"`);
  }
  if (!from && isProduction && delivery === 'smtp') problems.push('MAIL_FROM is required with SMTP_URL in production, e.g. "Example Sign-in <no-reply@example.com>"');
  return { delivery: delivery || 'off', smtpUrl, from: from || DEVELOPMENT_MAIL_FROM, pollIntervalMs };
}

/** RFC 9068 §2.2 leaves `aud` to the deployment: any identifier without spaces or commas (a URL, a service name). */
const AUDIENCE = /^[^\s,]{1,255}$/;

function parseAccessTokens(env: Env, problems: string[]): Config['accessTokens'] {
  const audiences = (env.TOKEN_AUDIENCES ?? '').split(',').map((a) => a.trim()).filter(Boolean);
  for (const audience of audiences) {
    if (!AUDIENCE.test(audience)) problems.push(`TOKEN_AUDIENCES: "${audience}" must be 1 to 255 characters without spaces, like https://api.example.com`);
  }
  if (new Set(audiences).size !== audiences.length) problems.push('TOKEN_AUDIENCES lists an audience twice');
  const introspectionToken = env.INTROSPECTION_TOKEN || null;
  if (introspectionToken && introspectionToken.length < 16) problems.push('INTROSPECTION_TOKEN must be at least 16 characters (e.g. $(openssl rand -hex 32))');
  return {
    audiences,
    // RULES: at most 5 minutes, so a token outlives a revocation only briefly for services that verify offline.
    ttlSeconds: integer(env, 'ACCESS_TOKEN_TTL_SECONDS', 300, 1, 300, problems),
    signingKeyMaxAgeDays: integer(env, 'SIGNING_KEY_MAX_AGE_DAYS', 90, 1, 3650, problems),
    introspectionToken,
  };
}

function parseWebAuthn(env: Env, port: number, isProduction: boolean, problems: string[]): Config['webauthn'] {
  const rpId = (env.WEBAUTHN_RP_ID ?? '').trim() || 'localhost';
  if (!/^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/.test(rpId)) {
    problems.push(`WEBAUTHN_RP_ID must be a lower-case domain like example.com (no scheme or port), got "${rpId}"`);
  }
  const listed = (env.WEBAUTHN_ORIGINS ?? '').split(',').map((o) => o.trim()).filter(Boolean);
  const origins = listed.length ? listed : [`http://localhost:${port}`];
  for (const origin of origins) {
    const match = /^(https?):\/\/([^/:\s]+)(:\d+)?$/.exec(origin);
    if (!match) {
      problems.push(`WEBAUTHN_ORIGINS: "${origin}" is not an origin like https://console.example.com`);
      continue;
    }
    const [, scheme, host] = match;
    if (isProduction && scheme !== 'https' && host !== 'localhost') {
      problems.push(`WEBAUTHN_ORIGINS: "${origin}" must use https in production (only http://localhost may not)`);
    }
    if (host !== rpId && !host.endsWith(`.${rpId}`)) {
      problems.push(`WEBAUTHN_ORIGINS: "${origin}" is not on WEBAUTHN_RP_ID "${rpId}" or a subdomain of it`);
    }
  }
  return { rpId, origins };
}

function parsePublicUrl(raw: string | undefined, isProduction: boolean, problems: string[]): string | null {
  const value = (raw ?? '').trim().replace(/\/+$/, '');
  if (!value) {
    if (isProduction) problems.push('PUBLIC_URL is required in production: the address browsers reach the gateway at, e.g. https://auth.example.com');
    return null;
  }
  const match = /^(https?):\/\/([^/:\s?#]+)(:\d+)?(\/[^\s?#]*)?$/.exec(value);
  if (!match) {
    problems.push(`PUBLIC_URL must be an http(s) address without query or fragment, like https://auth.example.com, got "${value}"`);
    return null;
  }
  const isLoopback = ['localhost', '127.0.0.1', '[::1]'].includes(match[2]);
  if (isProduction && match[1] !== 'https' && !isLoopback) problems.push(`PUBLIC_URL must use https in production (only a loopback address may not), got "${value}"`);
  return value;
}

function isSmtpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return (url.protocol === 'smtp:' || url.protocol === 'smtps:') && Boolean(url.hostname);
  } catch {
    return false;
  }
}

function integer(env: Env, name: string, fallback: number, min: number, max: number, problems: string[]): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    problems.push(`${name} must be an integer from ${min} to ${max}, got "${raw}"`);
    return fallback;
  }
  return value;
}

function flag(env: Env, name: string, fallback: boolean, problems: string[]): boolean {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (raw === 'true' || raw === '1') return true;
  if (raw === 'false' || raw === '0') return false;
  problems.push(`${name} must be true or false, got "${raw}"`);
  return fallback;
}

function parseDatabaseUrl(raw: string | undefined, dataDir: string, problems: string[]): DatabaseConfig {
  if (!raw) return { kind: 'sqlite', file: path.join(dataDir, 'gateway.sqlite') };
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    problems.push('DATABASE_URL is not a URL (expected mysql://user:pass@host:port/db)');
    return { kind: 'sqlite', file: '' };
  }
  const kind = url.protocol.replace(/:$/, '');
  if (kind !== 'mysql' && kind !== 'mariadb') {
    problems.push(`DATABASE_URL must start with mysql:// or mariadb://, got "${url.protocol}//"`);
    return { kind: 'sqlite', file: '' };
  }
  if (url.pathname.length <= 1) problems.push('DATABASE_URL names no database (mysql://user:pass@host:port/db)');
  return { kind, url: raw };
}

function parseEncryptionKeys(
  raw: string | undefined,
  isProduction: boolean,
  dataDir: string,
  problems: string[],
  warnings: string[],
): EncryptionKey[] {
  if (raw) return parseKeyList(raw, 'ENCRYPTION_KEYS', problems);
  if (isProduction) {
    problems.push(
      'ENCRYPTION_KEYS is required in production: comma-separated id:base64 entries of 32-byte keys, ' +
        'the first being current (e.g. k1:$(openssl rand -base64 32))',
    );
    return [];
  }
  const file = path.join(dataDir, 'encryption-keys');
  if (!existsSync(file)) {
    mkdirSync(dataDir, { recursive: true });
    writeFileSync(file, `dev1:${randomBytes(32).toString('base64')}\n`, { mode: 0o600 });
    warnings.push(`ENCRYPTION_KEYS is not set: generated a development key into ${file}. Set ENCRYPTION_KEYS in production.`);
  } else {
    warnings.push(`ENCRYPTION_KEYS is not set: using the development key in ${file}.`);
  }
  return parseKeyList(readFileSync(file, 'utf8').trim(), file, problems);
}

function parseKeyList(raw: string, source: string, problems: string[]): EncryptionKey[] {
  const keys: EncryptionKey[] = [];
  for (const entry of raw.split(',').map((e) => e.trim()).filter(Boolean)) {
    const colon = entry.indexOf(':');
    const id = entry.slice(0, colon);
    const key = Buffer.from(entry.slice(colon + 1), 'base64');
    if (colon < 1 || !/^[A-Za-z0-9_-]{1,32}$/.test(id)) {
      problems.push(`${source}: each entry must be id:base64 with an id of letters, digits, - or _`);
    } else if (key.length !== 32) {
      problems.push(`${source}: key "${id}" must decode to 32 bytes, got ${key.length}`);
    } else if (keys.some((k) => k.id === id)) {
      problems.push(`${source}: key id "${id}" appears twice`);
    } else {
      keys.push({ id, key });
    }
  }
  if (!keys.length && !problems.length) problems.push(`${source} holds no key`);
  return keys;
}
