import type { EncryptionKey } from '../config';
import { Database, sqlRows } from '../db/database';
import { StartupError } from '../errors/startup-error';

/**
 * Every column that names the key a stored value was made with: one line per (table, key id column).
 * `sealed` values (AES-GCM envelopes) cannot be read without their key, so a missing one stops the start;
 * `hashed` values (keyed hashes of recovery codes) merely stop matching, which rotate-keys reports, so a
 * missing one is a warning.
 */
export const KEY_ID_COLUMNS: ReadonlyArray<{ table: string; column: string; holds: 'sealed' | 'hashed' }> = [
  { table: 'authenticators', column: 'key_id', holds: 'sealed' }, // TOTP secrets
  { table: 'recovery_codes', column: 'key_id', holds: 'hashed' },
  { table: 'mail_outbox', column: 'key_id', holds: 'sealed' }, // e-mails waiting to be sent ('' once finished)
];

export interface KeyCheck {
  /** Key ids that sealed stored secrets and are not configured: the gateway must not start. */
  missingForSealed: string[];
  /** Key ids of stored recovery-code hashes that are not configured: those codes no longer match. */
  missingForHashed: string[];
}

/**
 * Which key ids the stored values use that `keys` lacks. One `SELECT DISTINCT` per column, over its index. An
 * empty key id seals nothing (a pair with passkeys and no TOTP secret).
 */
export async function checkEncryptionKeys(db: Database, keys: EncryptionKey[]): Promise<KeyCheck> {
  const configured = new Set(keys.map((k) => k.id));
  const missing = { sealed: new Set<string>(), hashed: new Set<string>() };
  for (const { table, column, holds } of KEY_ID_COLUMNS) {
    const rows = await sqlRows<{ keyId: string }>(db.manager, `SELECT DISTINCT ${column} AS keyId FROM ${table} WHERE ${column} <> ''`);
    for (const { keyId } of rows) if (!configured.has(keyId)) missing[holds].add(keyId);
  }
  return { missingForSealed: [...missing.sealed].sort(), missingForHashed: [...missing.hashed].sort() };
}

/**
 * Refuses to go on when stored secrets were sealed with keys that are not configured: starting anyway would
 * answer every enrolled agent with an internal error (and a generated development key would hide the cause).
 * Answers the warnings to log.
 */
export async function assertEncryptionKeysCoverStoredSecrets(db: Database, keys: EncryptionKey[], keySource: string): Promise<string[]> {
  const { missingForSealed, missingForHashed } = await checkEncryptionKeys(db, keys);
  const quoted = (ids: string[]) => ids.map((id) => `"${id}"`).join(', ');
  const configured = quoted(keys.map((k) => k.id));
  if (missingForSealed.length) {
    throw new StartupError(
      `Stored TOTP secrets were encrypted with key id${missingForSealed.length > 1 ? 's' : ''} ${quoted(missingForSealed)}, ` +
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
