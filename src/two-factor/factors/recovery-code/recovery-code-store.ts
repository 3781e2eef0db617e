import {
  hashRecoveryCode,
  newRecoveryCodes,
  normalizeRecoveryCode,
  RecoveryCodeFormatName,
} from '../../../crypto/recovery-codes';
import type { SecretBox } from '../../../crypto/secret-box';
import type { EntityManager } from 'typeorm';
import { sqlExecute, sqlRows, Tx } from '../../../db/database';
import { RecoveryCodeEntity } from '../../../db/entities';
import { newId } from '../../../db/ids';
import { rawBool } from '../../../db/raw';

const HASH_PURPOSE = 'recovery-code-hash';

/** The binding of an encrypted copy to its owner: a copy moved to another agent or tenant will not open. */
export const recoveryCodeContext = (tenantId: string, agentId: string) => `recovery-code:${tenantId}:${agentId}`;

/** What the tenant says about its codes, read inside the writing transaction (see `policy`). */
interface CodePolicy {
  format: RecoveryCodeFormatName;
  isViewable: boolean;
  replenish: boolean;
}

/**
 * Recovery codes at rest: one row per code, keyed hash, single use by a conditional update. In a VIEWABLE
 * tenant each row also holds the code sealed like a TOTP secret, so the agent can view the unused ones again.
 */
export class RecoveryCodeStore {
  constructor(private readonly secretBox: SecretBox) {}

  /**
   * Replaces the whole set at once (the old codes stop working in the same transaction) and returns the new
   * plain codes. `format` is the tenant's as the caller read it; whether to keep copies is read here, locked.
   */
  async replaceSet(tx: Tx, tenantId: string, agentId: string, format: RecoveryCodeFormatName, now: Date): Promise<string[]> {
    await this.deleteSet(tx, tenantId, agentId);
    const { isViewable } = await this.policy(tx, tenantId);
    const codes = newRecoveryCodes(format);
    await this.insertCodes(tx, tenantId, agentId, codes, isViewable, now);
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

  /** After a use, in the same transaction: a fresh code in its place where the tenant replenishes. */
  async replenish(tx: Tx, tenantId: string, agentId: string, now: Date): Promise<void> {
    const policy = await this.policy(tx, tenantId);
    if (!policy.isViewable || !policy.replenish) return;
    // One code of a fresh set: ~39 bits or more, so a clash with a code still in use is not a concern.
    await this.insertCodes(tx, tenantId, agentId, newRecoveryCodes(policy.format).slice(0, 1), true, now);
  }

  /** The unused codes that were issued while the tenant was VIEWABLE, oldest first. */
  async viewableCodes(manager: EntityManager, tenantId: string, agentId: string): Promise<string[]> {
    const rows = await sqlRows<{ code_ciphertext: string }>(
      manager,
      'SELECT code_ciphertext FROM recovery_codes WHERE tenant_id = ? AND agent_id = ? AND used_at IS NULL AND code_ciphertext IS NOT NULL ORDER BY created_at, id',
      [tenantId, agentId],
    );
    const context = recoveryCodeContext(tenantId, agentId);
    return rows.map((row) => this.secretBox.open(row.code_ciphertext, context));
  }

  private async insertCodes(tx: Tx, tenantId: string, agentId: string, codes: string[], isViewable: boolean, now: Date): Promise<void> {
    const [{ keyId, key }] = this.secretBox.derivedKeys(HASH_PURPOSE);
    const context = recoveryCodeContext(tenantId, agentId);
    await tx.insert(
      RecoveryCodeEntity,
      codes.map((code) => {
        const sealed = isViewable ? this.secretBox.seal(code, context) : null;
        return {
          id: newId(),
          tenantId,
          agentId,
          codeHash: hashRecoveryCode(key, owner(tenantId, agentId), normalizeRecoveryCode(code)!),
          keyId,
          usedAt: null,
          createdAt: now,
          codeCiphertext: sealed?.envelope ?? null,
          ciphertextKeyId: sealed?.keyId ?? null,
        };
      }),
    );
  }

  /**
   * The tenant's code settings under a shared lock on its row: switching to SHOWN_ONCE (which deletes every copy
   * under an exclusive lock) waits for this transaction, or this one reads SHOWN_ONCE. No copy outlives the switch.
   */
  private async policy(tx: Tx, tenantId: string): Promise<CodePolicy> {
    const isSqlite = tx.connection.options.type === 'better-sqlite3'; // one writer at a time already
    const [row] = await sqlRows(
      tx,
      `SELECT recovery_code_format, recovery_code_visibility, recovery_code_replenish FROM tenants WHERE id = ?${isSqlite ? '' : ' LOCK IN SHARE MODE'}`,
      [tenantId],
    );
    return {
      format: row.recovery_code_format as RecoveryCodeFormatName,
      isViewable: row.recovery_code_visibility === 'VIEWABLE',
      replenish: rawBool(row.recovery_code_replenish),
    };
  }
}

/** Leaving VIEWABLE: every encrypted copy of the tenant's codes goes, in one statement; the hashes stay. */
export async function forgetViewableCopies(tx: Tx, tenantId: string): Promise<number> {
  return sqlExecute(tx, 'UPDATE recovery_codes SET code_ciphertext = NULL, ciphertext_key_id = NULL WHERE tenant_id = ? AND code_ciphertext IS NOT NULL', [tenantId]);
}

const owner = (tenantId: string, agentId: string) => `${tenantId}:${agentId}`;
