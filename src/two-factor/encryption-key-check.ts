import type { EncryptionKey } from '../config';
import { Database, sqlRows } from '../db/database';
import { StartupError } from '../errors/startup-error';

/**
 * Every column that names the key a stored value was made with: one line per (table, key id column), `of` the
 * column holding the values. The list is complete: test/hardening/encryption-keys.startup.test.ts fails when a
 * column of the database ends in `key_id`, or holds a sealed envelope, without its line here, so a sealed column
 * added later is one more line (and an index on its key id column, as the migrations KeyIdIndexes and
 * CiphertextKeyIdIndex give these).
 * `sealed` values (AES-GCM envelopes) cannot be read without their key, so a missing one stops the start;
 * `hashed` values (keyed hashes of recovery codes) merely stop matching, which rotate-keys reports, so a
 * missing one is a warning.
 */
export const KEY_ID_COLUMNS: ReadonlyArray<{ table: string; column: string; of: string; holds: 'sealed' | 'hashed'; what: string }> = [
  { table: 'authenticators', column: 'key_id', of: 'secret_ciphertext', holds: 'sealed', what: 'TOTP secrets' },
  { table: 'recovery_codes', column: 'ciphertext_key_id', of: 'code_ciphertext', holds: 'sealed', what: 'viewable recovery codes' },
  { table: 'recovery_codes', column: 'key_id', of: 'code_hash', holds: 'hashed', what: 'recovery codes' },
  { table: 'mail_outbox', column: 'key_id', of: 'data', holds: 'sealed', what: 'e-mails waiting to be sent' },
  { table: 'signing_keys', column: 'key_id', of: 'private_key_ciphertext', holds: 'sealed', what: 'access-token signing keys' },
  { table: 'identity_providers', column: 'key_id', of: 'client_secret_ciphertext', holds: 'sealed', what: 'identity-provider client secrets' },
];

export interface KeyCheck {
  /** Key ids that sealed stored secrets and are not configured: the gateway must not start. */
  missingForSealed: string[];
  /** What those keys sealed (KEY_ID_COLUMNS' `what`), for the message. */
  sealedWhat: string[];
  /** Key ids of stored recovery-code hashes that are not configured: those codes no longer match. */
  missingForHashed: string[];
}

/** Which key ids the stored values use that `keys` lacks. One `SELECT DISTINCT` per column, over its index. */
export async function checkEncryptionKeys(db: Database, keys: EncryptionKey[]): Promise<KeyCheck> {
  const configured = new Set(keys.map((k) => k.id));
  const missing = { sealed: new Set<string>(), hashed: new Set<string>() };
  const sealedWhat = new Set<string>();
  for (const { table, column, holds, what } of KEY_ID_COLUMNS) {
    // NULL (no value) and '' (a pair with passkeys and no TOTP secret) name no key.
    const rows = await sqlRows<{ keyId: string }>(db.manager, `SELECT DISTINCT ${column} AS keyId FROM ${table} WHERE ${column} <> ''`);
    for (const { keyId } of rows) {
      if (configured.has(keyId)) continue;
      missing[holds].add(keyId);
      if (holds === 'sealed') sealedWhat.add(what);
    }
  }
  return { missingForSealed: [...missing.sealed].sort(), sealedWhat: [...sealedWhat], missingForHashed: [...missing.hashed].sort() };
}

/**
 * Refuses to go on when stored secrets were sealed with keys that are not configured: starting anyway would
 * answer every enrolled agent with an internal error (and a generated development key would hide the cause).
 * Answers the warnings to log.
 */
export async function assertEncryptionKeysCoverStoredSecrets(db: Database, keys: EncryptionKey[], keySource: string): Promise<string[]> {
  const { missingForSealed, sealedWhat, missingForHashed } = await checkEncryptionKeys(db, keys);
  const quoted = (ids: string[]) => ids.map((id) => `"${id}"`).join(', ');
  const configured = quoted(keys.map((k) => k.id));
  if (missingForSealed.length) {
    throw new StartupError(
      `Stored ${sealedWhat.join(' and ')} were encrypted with key id${missingForSealed.length > 1 ? 's' : ''} ${quoted(missingForSealed)}, ` +
        `which ${keySource} (key ids ${configured}) does not hold. Set ENCRYPTION_KEYS to the keys this database was ` +
        `used with (the current key first, the older ones after it); the gateway will not start without them.`,
    );
  }
  if (!missingForHashed.length) return [];
  return [
    `Unused recovery codes were hashed with key id${missingForHashed.length > 1 ? 's' : ''} ${quoted(missingForHashed)}, ` +
      `which is no longer configured: those codes will not match until their agents regenerate them.`,
  ];
}
