import type { SecretBox } from '../crypto/secret-box';
import type { Database } from '../db/database';
import { IsNull, MoreThan, Not } from 'typeorm';
import { AuthenticatorEntity, RecoveryCodeEntity } from '../db/entities';
import { recoveryCodeContext } from './factors/recovery-code/recovery-code-store';
import { secretContext } from './factors/totp/totp-secret';
import { resealSigningKeys } from '../tokens/signing-keys';
import { resealClientSecrets } from '../sso/identity-provider-store';

const BATCH_SIZE = 200;

export interface RotationReport {
  /** Secrets re-encrypted to the current key by this run. */
  reEncrypted: number;
  /** Encrypted copies of recovery codes (VIEWABLE tenants) re-encrypted to the current key by this run. */
  recoveryCodeCopiesReEncrypted: number;
  /** Private halves of access-token signing keys re-sealed to the current key by this run. */
  signingKeysReEncrypted: number;
  /** Identity providers' client secrets re-sealed to the current key by this run. */
  clientSecretsReEncrypted: number;
  /** Recovery codes hashed under older keys: they keep working while those keys stay configured, and are
   *  replaced by the agents' next regeneration (a hash cannot be re-keyed without the plain code). */
  recoveryCodesOnOlderKeys: number;
}

/**
 * Re-encrypts every stored TOTP secret to the current key, in small batches (then the recovery codes' copies,
 * the signing keys' private halves and the identity providers' client secrets). Each row is rewritten by a
 * conditional update on its old ciphertext, so the run is safe to interrupt and to repeat, and never
 * overwrites a secret that changed meanwhile (a new enrolment is already under the current key).
 */
export async function rotateSecretsToCurrentKey(db: Database, secretBox: SecretBox): Promise<RotationReport> {
  const currentKeyId = secretBox.currentKeyId;
  let reEncrypted = 0;
  let afterId = '';
  for (;;) {
    const batch = await db.manager.find(AuthenticatorEntity, {
      // A pair enabled by passkeys alone has no secret ('' under no key): nothing to re-encrypt.
      where: { keyId: Not(currentKeyId), secretCiphertext: Not(''), id: MoreThan(afterId) },
      order: { id: 'ASC' },
      take: BATCH_SIZE,
    });
    if (!batch.length) break;
    for (const row of batch) {
      const context = secretContext(row.tenantId, row.agentId);
      const sealed = secretBox.seal(secretBox.open(row.secretCiphertext, context), context);
      const result = await db.transaction((tx) =>
        tx.update(AuthenticatorEntity, { id: row.id, secretCiphertext: row.secretCiphertext }, { secretCiphertext: sealed.envelope, keyId: sealed.keyId }),
      );
      reEncrypted += result.affected ?? 0;
    }
    afterId = batch[batch.length - 1].id;
  }
  const recoveryCodeCopiesReEncrypted = await rotateRecoveryCodeCopies(db, secretBox);
  const signingKeysReEncrypted = await resealSigningKeys(db, secretBox);
  const clientSecretsReEncrypted = await resealClientSecrets(db, secretBox);
  const recoveryCodesOnOlderKeys = await db.manager.count(RecoveryCodeEntity, { where: { keyId: Not(currentKeyId), usedAt: IsNull() } });
  return { reEncrypted, recoveryCodeCopiesReEncrypted, signingKeysReEncrypted, clientSecretsReEncrypted, recoveryCodesOnOlderKeys };
}

/** The same for the encrypted copies of recovery codes, each rewritten only if its copy is still the one read. */
async function rotateRecoveryCodeCopies(db: Database, secretBox: SecretBox): Promise<number> {
  const currentKeyId = secretBox.currentKeyId;
  let reEncrypted = 0;
  let afterId = '';
  for (;;) {
    // ciphertextKeyId is NULL exactly when there is no copy; `<>` leaves those out, as SQL's NULL does.
    const batch = await db.manager.find(RecoveryCodeEntity, {
      where: { codeCiphertext: Not(IsNull()), ciphertextKeyId: Not(currentKeyId), id: MoreThan(afterId) },
      order: { id: 'ASC' },
      take: BATCH_SIZE,
    });
    if (!batch.length) break;
    for (const row of batch) {
      const context = recoveryCodeContext(row.tenantId, row.agentId);
      const sealed = secretBox.seal(secretBox.open(row.codeCiphertext!, context), context);
      const result = await db.transaction((tx) =>
        tx.update(RecoveryCodeEntity, { id: row.id, codeCiphertext: row.codeCiphertext! }, { codeCiphertext: sealed.envelope, ciphertextKeyId: sealed.keyId }),
      );
      reEncrypted += result.affected ?? 0;
    }
    afterId = batch[batch.length - 1].id;
  }
  return reEncrypted;
}
