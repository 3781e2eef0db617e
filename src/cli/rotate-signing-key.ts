import 'reflect-metadata';
import { systemClock } from '../clock';
import { loadConfig } from '../config';
import { SecretBox } from '../crypto/secret-box';
import { openDatabase } from '../db/database';
import { StartupError } from '../errors/startup-error';
import { SigningKeyStore } from '../tokens/signing-keys';
import { assertEncryptionKeysCoverStoredSecrets } from '../two-factor/encryption-key-check';

/**
 * `npm run rotate-signing-key`: adds the next access-token signing key. It is published (in the JWKS) at once and
 * signs only after the publication delay; the key it replaces stays published until its last token has expired
 * (src/tokens/key-timeline.ts). Running it again while a new key waits to sign adds nothing. Safe to run beside
 * live gateways: they pick the new key up from the database.
 */
async function main(): Promise<void> {
  const config = loadConfig();
  const db = await openDatabase(config.database);
  try {
    await db.migrate();
    await assertEncryptionKeysCoverStoredSecrets(db, config.encryptionKeys, config.encryptionKeySource);
    const keys = new SigningKeyStore(db, new SecretBox(config.encryptionKeys), systemClock, config.accessTokens.signingKeyMaxAgeDays * 86_400_000);
    const { added, next, current } = await keys.rotate();
    const at = (date: Date) => date.toISOString();
    console.log(
      added
        ? `rotate-signing-key: key ${next.kid} is published from ${at(next.publishedAt)} and signs from ${at(next.signsFrom)}`
        : `rotate-signing-key: a rotation is under way (key ${next.kid} signs from ${at(next.signsFrom)}): nothing added`,
    );
    if (current) {
      console.log(`rotate-signing-key: key ${current.kid} signs until ${at(current.signsUntil)} and leaves the JWKS at ${at(current.leavesJwksAt)}, when its last token has expired`);
    }
  } finally {
    await db.close();
  }
}

main().catch((error) => {
  console.error(error instanceof StartupError ? error.message : error);
  process.exit(1);
});
