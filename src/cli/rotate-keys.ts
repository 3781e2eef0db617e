import 'reflect-metadata';
import { loadConfig } from '../config';
import { StartupError } from '../errors/startup-error';
import { SecretBox } from '../crypto/secret-box';
import { openDatabase } from '../db/database';
import { resealPendingMail } from '../mail/outbox';
import { assertEncryptionKeysCoverStoredSecrets } from '../two-factor/encryption-key-check';
import { rotateSecretsToCurrentKey } from '../two-factor/key-rotation';

/**
 * `npm run rotate-keys`: after putting a new key first in ENCRYPTION_KEYS (keeping the old ones after it),
 * re-encrypts every stored TOTP secret, every viewable recovery code's copy, every signing key's private half, every
 * identity provider's client secret and the data of every e-mail still waiting in the outbox, to the new key. Safe to interrupt and to run again.
 */
async function main(): Promise<void> {
  const config = loadConfig();
  const db = await openDatabase(config.database);
  try {
    await db.migrate();
    // Every key that sealed a stored secret must be configured (after the new one) to re-encrypt with it.
    await assertEncryptionKeysCoverStoredSecrets(db, config.encryptionKeys, config.encryptionKeySource);
    const secretBox = new SecretBox(config.encryptionKeys);
    const report = await rotateSecretsToCurrentKey(db, secretBox);
    console.log(`rotate-keys: ${report.reEncrypted} secrets re-encrypted to key "${secretBox.currentKeyId}"`);
    console.log(`rotate-keys: ${report.recoveryCodeCopiesReEncrypted} viewable recovery code copies re-encrypted to key "${secretBox.currentKeyId}"`);
    const mail = await resealPendingMail(db, secretBox);
    console.log(`rotate-keys: ${mail} e-mails waiting to be sent re-encrypted to key "${secretBox.currentKeyId}"`);
    console.log(`rotate-keys: ${report.signingKeysReEncrypted} access-token signing keys re-sealed with key "${secretBox.currentKeyId}"`);
    console.log(`rotate-keys: ${report.clientSecretsReEncrypted} identity-provider client secrets re-sealed with key "${secretBox.currentKeyId}"`);
    if (report.recoveryCodesOnOlderKeys) {
      console.log(
        `rotate-keys: ${report.recoveryCodesOnOlderKeys} unused recovery codes are hashed under older keys; keep those keys ` +
          'configured until the agents regenerate their codes',
      );
    }
  } finally {
    await db.close();
  }
}

main().catch((error) => {
  console.error(error instanceof StartupError ? error.message : error);
  process.exit(1);
});
