import {
  hashRecoveryCode,
  newRecoveryCodes,
  normalizeRecoveryCode,
  RecoveryCodeFormatName,
} from '../crypto/recovery-codes';
import type { SecretBox } from '../crypto/secret-box';
import { sqlExecute, Tx } from '../db/database';
import { RecoveryCodeEntity } from '../db/entities';
import { newId } from '../db/ids';

const HASH_PURPOSE = 'recovery-code-hash';

/** Recovery codes at rest: one row per code, keyed hash only, single use by a conditional update. */
export class RecoveryCodeStore {
  constructor(private readonly secretBox: SecretBox) {}

  /** Replaces the whole set at once (the old codes stop working in the same transaction) and returns the new plain codes. */
  async replaceSet(tx: Tx, tenantId: string, agentId: string, format: RecoveryCodeFormatName, now: Date): Promise<string[]> {
    await this.deleteSet(tx, tenantId, agentId);
    const codes = newRecoveryCodes(format);
    const [{ keyId, key }] = this.secretBox.derivedKeys(HASH_PURPOSE);
    await tx.insert(
      RecoveryCodeEntity,
      codes.map((code) => ({
        id: newId(),
        tenantId,
        agentId,
        codeHash: hashRecoveryCode(key, owner(tenantId, agentId), normalizeRecoveryCode(code)!),
        keyId,
        usedAt: null,
        createdAt: now,
      })),
    );
    return codes;
  }

  async deleteSet(tx: Tx, tenantId: string, agentId: string): Promise<void> {
    await tx.delete(RecoveryCodeEntity, { tenantId, agentId });
  }

  /** Marks the code used if it is one of the agent's unused codes; exactly one of two racing uses wins. */
  async consume(tx: Tx, tenantId: string, agentId: string, input: string, now: Date): Promise<boolean> {
    const normalized = normalizeRecoveryCode(input);
    if (!normalized) return false;
    // Codes hashed under an older key still work until regenerated: try the hash under each configured key.
    for (const { keyId, key } of this.secretBox.derivedKeys(HASH_PURPOSE)) {
      const used = await sqlExecute(
        tx,
        'UPDATE recovery_codes SET used_at = ? WHERE tenant_id = ? AND agent_id = ? AND key_id = ? AND code_hash = ? AND used_at IS NULL',
        [now, tenantId, agentId, keyId, hashRecoveryCode(key, owner(tenantId, agentId), normalized)],
      );
      if (used === 1) return true;
    }
    return false;
  }
}

const owner = (tenantId: string, agentId: string) => `${tenantId}:${agentId}`;
