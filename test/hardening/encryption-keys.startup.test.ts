// Threat: a gateway restarted without the keys its secrets were sealed with starts anyway, and every enrolled
// agent then meets an internal error (or a generated development key hides the cause).
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config';
import { StartupError } from '../../src/errors/startup-error';
import { createLogger } from '../../src/logger';
import { createGateway } from '../../src/server';
import { KEY_ID_COLUMNS } from '../../src/two-factor/encryption-key-check';
import { databaseKinds, scratchDatabase, ScratchDatabase } from '../helpers/databases';
import { createTenant } from '../helpers/fixtures';
import { enrolledAgent } from '../helpers/two-factor';
import { openGateway, productionEnv } from './harness';

const ROOT = path.resolve(__dirname, '../..');
const key = (id: string) => `${id}:${randomBytes(32).toString('base64')}`;
const K1 = key('k1');
const K2 = key('k2');

/** A built entry point run as its own process; `npm run build` first when running this file alone. */
async function runBuilt(script: string, env: Record<string, string>): Promise<{ code: number; output: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [path.join(ROOT, script)], { env: { PATH: process.env.PATH, ...env }, timeout: 60_000 });
    return { code: 0, output: stdout + stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, output: e.stdout + e.stderr };
  }
}

const STACK_LINE = /^\s+at /m;

describe.each(databaseKinds)('start-up with missing encryption keys on %s', (kind) => {
  let database: ScratchDatabase;

  beforeAll(async () => {
    database = await scratchDatabase(kind);
    const t = await openGateway(kind, database, { env: { ENCRYPTION_KEYS: K1 } });
    const tenant = await createTenant(t, { twoFactor: true });
    await enrolledAgent(t, tenant); // a TOTP secret sealed with k1, and recovery codes hashed with it
    await t.close();
  });
  afterAll(() => database?.drop());

  it('checks every column that names a key', () => {
    expect(KEY_ID_COLUMNS.map((c) => `${c.table}.${c.column}`)).toEqual(['authenticators.key_id', 'recovery_codes.key_id', 'mail_outbox.key_id']);
  });

  it('refuses to start without the key that sealed stored secrets, naming it', async () => {
    const refused = openGateway(kind, database, { env: { ENCRYPTION_KEYS: K2 } });
    await expect(refused).rejects.toBeInstanceOf(StartupError);
    await expect(refused).rejects.toThrow(/key id "k1", which ENCRYPTION_KEYS \(key ids "k2"\) does not hold/);
  });

  it('never falls back to the development key on a database holding secrets sealed by other keys', async () => {
    const config = loadConfig({ NODE_ENV: 'test', DATA_DIR: database.dataDir, ...(database.url ? { DATABASE_URL: database.url } : {}) });
    expect(config.encryptionKeys.map((k) => k.id)).toEqual(['dev1']);
    await expect(createGateway({ config })).rejects.toThrow(/key id "k1", which the development key file .* \(ENCRYPTION_KEYS is not set\)/);
  });

  it('the built gateway exits 1 with one clear message, no stack trace', async () => {
    const { code, output } = await runBuilt('dist/src/main.js', productionEnv(database, { ENCRYPTION_KEYS: K2, PORT: '0' }));
    expect(code).toBe(1);
    expect(output).toMatch(/key id "k1"/);
    expect(output).not.toMatch(STACK_LINE);
  });

  it('rotate-keys without the old key exits 1 with the same message, no stack trace, changing nothing', async () => {
    const { code, output } = await runBuilt('dist/src/cli/rotate-keys.js', productionEnv(database, { ENCRYPTION_KEYS: K2 }));
    expect(code).toBe(1);
    expect(output).toMatch(/key id "k1"/);
    expect(output).not.toMatch(STACK_LINE);
    const started = await openGateway(kind, database, { env: { ENCRYPTION_KEYS: K1 } }); // still all under k1
    await started.close();
  });

  it('starts with the old key after the new one; once secrets are rotated, starts without it, warning about recovery codes', async () => {
    const rotated = await runBuilt('dist/src/cli/rotate-keys.js', productionEnv(database, { ENCRYPTION_KEYS: `${K2},${K1}` }));
    expect(rotated).toMatchObject({ code: 0, output: expect.stringContaining('1 secrets re-encrypted to key "k2"') });
    const lines: string[] = [];
    const logger = createLogger('warn', { write: (line: string) => void lines.push(line) });
    const t = await openGateway(kind, database, { env: { ENCRYPTION_KEYS: K2 }, logger });
    await t.close();
    expect(lines.map((line) => JSON.parse(line).msg)).toEqual([expect.stringMatching(/recovery codes were hashed with key id "k1"/i)]);
  });
});
