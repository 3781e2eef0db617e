// Threat: a gateway restarted without the keys its secrets were sealed with starts anyway, and every enrolled
// agent then meets an internal error (or a generated development key hides the cause).
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SetTenantIdentityProviderDocument, BeginTotpEnrolmentDocument, RegenerateRecoveryCodesDocument, SetTenantRecoveryCodeVisibilityDocument } from '../../src/client/generated/graphql';
import { loadConfig } from '../../src/config';
import { StartupError } from '../../src/errors/startup-error';
import { createLogger } from '../../src/logger';
import { createGateway } from '../../src/server';
import { KEY_ID_COLUMNS } from '../../src/two-factor/encryption-key-check';
import { databaseKinds, scratchDatabase, ScratchDatabase } from '../helpers/databases';
import { addMember, createTenant, enrol, signUp } from '../helpers/fixtures';
import { addPasskey, PASSKEY_ENV, TEST_ORIGIN } from '../helpers/passkeys';
import { SoftwareAuthenticator } from '../helpers/software-authenticator';
import { enrolledAgent } from '../helpers/two-factor';
import { openGateway, productionEnv, startProductionGateway } from './harness';

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

describe.each(databaseKinds)('start-up with the key of viewable recovery codes missing on %s', (kind) => {
  let database: ScratchDatabase;

  beforeAll(async () => {
    database = await scratchDatabase(kind);
    const t = await openGateway(kind, database, { env: { ENCRYPTION_KEYS: K1, ...PASSKEY_ENV } });
    // A pair whose only sealed values are the copies of its recovery codes: a passkey seals no secret.
    const tenant = await createTenant(t, { twoFactor: true });
    await addPasskey(tenant.owner, tenant.id, new SoftwareAuthenticator(TEST_ORIGIN));
    await tenant.owner.client.ok(SetTenantRecoveryCodeVisibilityDocument, { tenantId: tenant.id, visibility: 'VIEWABLE', replenish: false });
    await tenant.owner.client.ok(RegenerateRecoveryCodesDocument, { tenantId: tenant.id, password: tenant.owner.password });
    const sealed = await t.gateway.db.manager.query("SELECT DISTINCT ciphertext_key_id AS id FROM recovery_codes WHERE code_ciphertext IS NOT NULL");
    expect(sealed).toEqual([{ id: 'k1' }]);
    expect(await t.gateway.db.manager.query("SELECT key_id FROM authenticators")).toEqual([{ key_id: '' }]);
    await t.close();
  });
  afterAll(() => database?.drop());

  it('refuses to start without the key that sealed the copies, naming it', async () => {
    const refused = openGateway(kind, database, { env: { ENCRYPTION_KEYS: K2, ...PASSKEY_ENV } });
    await expect(refused).rejects.toBeInstanceOf(StartupError);
    await expect(refused).rejects.toThrow(/viewable recovery codes.*key id "k1", which ENCRYPTION_KEYS \(key ids "k2"\) does not hold/);
  });

  it('starts with that key configured', async () => {
    const t = await openGateway(kind, database, { env: { ENCRYPTION_KEYS: `${K2},${K1}`, ...PASSKEY_ENV } });
    await t.close();
  });
});

describe.each(databaseKinds)('the list of columns that name a key on %s', (kind) => {
  it('names every column of the database that holds a key id, and every column that holds a sealed value', async () => {
    const t = await startProductionGateway(kind, PASSKEY_ENV);
    await t.gateway.services.mail.sender.stop(); // e-mails stay waiting, their data sealed
    try {
      // Every kind of sealed value the gateway stores: a TOTP secret, a pending one, viewable recovery codes,
      // e-mails waiting to be sent, signing keys, an identity provider's client secret.
      const tenant = await createTenant(t, { twoFactor: true });
      await tenant.owner.client.ok(SetTenantIdentityProviderDocument, {
        tenantId: tenant.id,
        provider: { issuer: 'https://idp.example.test', clientId: 'gateway', clientSecret: 'a client secret', emailDomains: ['keys.example'] },
      });
      await enrol(t, tenant.owner, tenant.id);
      await tenant.owner.client.ok(SetTenantRecoveryCodeVisibilityDocument, { tenantId: tenant.id, visibility: 'VIEWABLE', replenish: true });
      await enrolledAgent(t, tenant);
      const pending = await signUp(t);
      await addMember(tenant, pending);
      await pending.client.ok(BeginTotpEnrolmentDocument, { tenantId: tenant.id, password: pending.password });
      await addPasskey(pending, tenant.id, new SoftwareAuthenticator(TEST_ORIGIN));

      const names = kind === 'sqlite'
        ? "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        : 'SELECT table_name AS name FROM information_schema.tables WHERE table_schema = DATABASE()';
      const runner = t.gateway.db.dataSource.createQueryRunner();
      const tables = await runner.getTables(((await t.gateway.db.manager.query(names)) as Array<{ name: string }>).map((row) => row.name));
      await runner.release();
      const listed = (holds?: string) => KEY_ID_COLUMNS.filter((c) => !holds || c.holds === holds);
      const keyIdColumns = tables.flatMap((table) => table.columns.filter((c) => /key_id$/.test(c.name)).map((c) => `${table.name.replace(/^.*\./, '')}.${c.name}`));
      expect(keyIdColumns.sort()).toEqual(listed().map((c) => `${c.table}.${c.column}`).sort());

      // A sealed value is an envelope `v1.<key id>.<nonce>.<ciphertext>.<tag>` (src/crypto/secret-box.ts).
      const envelopeColumns = new Set<string>();
      for (const table of tables) {
        const name = table.name.replace(/^.*\./, '');
        for (const row of (await t.gateway.db.manager.query(`SELECT * FROM ${name}`)) as Array<Record<string, unknown>>) {
          for (const [column, value] of Object.entries(row)) if (typeof value === 'string' && /^v1\.[^.]+\.[\w-]+\.[\w-]+\.[\w-]+$/.test(value)) envelopeColumns.add(`${name}.${column}`);
        }
      }
      expect([...envelopeColumns].sort()).toEqual(listed('sealed').map((c) => `${c.table}.${c.of}`).sort());
    } finally {
      await t.close();
    }
  });
});
