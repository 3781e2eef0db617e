import DataLoader from 'dataloader';
import { Database, sqlRows, Tx } from '../db/database';
import type { AuthenticatorStateName } from '../db/entities/authenticator.entity';
import { placeholders, rawBool, rawDate, rawInt } from '../db/raw';
import { groupByTenant, pairKey } from '../tenancy/pair-key';
import { StatusSnapshot, twoFactorState } from './authenticator-state';
import { FACTOR_PROFILES } from './factors/registry';
import { TwoFactorStatus } from './two-factor.types';

/**
 * Maps the stored authenticator (or its absence) to the client-facing status: never the secret. `pair` lets the
 * `passkeys` field load the pair's passkeys (batched per request), only when the pair has any.
 */
export function toTwoFactorStatus(snapshot: StatusSnapshot | null, now: Date, pair?: { tenantId: string; agentId: string }): TwoFactorStatus {
  const state = twoFactorState(snapshot, now);
  const enabled = state === 'ENABLED' ? snapshot! : null;
  const remaining = enabled ? enabled.recoveryCodesRemaining : 0;
  return Object.assign(new TwoFactorStatus(), {
    state,
    enabled: state === 'ENABLED',
    // Every factor usable for an ENABLED pair, in registry order (e.g. [TOTP, RECOVERY_CODE]); none otherwise.
    methods: enabled ? FACTOR_PROFILES.filter((factor) => factor.isUsable(enabled)).map((factor) => factor.method) : [],
    recoveryCodesRemaining: remaining,
    confirmedAt: state === 'ENABLED' ? snapshot!.confirmedAt : null,
    totpEnabled: Boolean(enabled?.totpEnabled),
    passkeyCount: snapshot?.passkeyCount ?? 0,
    pair: pair ?? null,
  });
}

/** SELECT fragments shared by the status loader and the admin listing, which primes it. */
export const STATUS_COLUMNS = [
  'a.state AS authenticator_state',
  'a.pending_expires_at AS pending_expires_at',
  'a.confirmed_at AS confirmed_at',
  'a.totp_enabled AS totp_enabled',
];
export const RECOVERY_CODES_REMAINING =
  '(SELECT COUNT(*) FROM recovery_codes r WHERE r.tenant_id = a.tenant_id AND r.agent_id = a.agent_id AND r.used_at IS NULL)';

export const PASSKEY_COUNT = '(SELECT COUNT(*) FROM passkeys p WHERE p.tenant_id = a.tenant_id AND p.agent_id = a.agent_id)';

export function statusSnapshotFromRow(row: Record<string, unknown>): StatusSnapshot | null {
  if (!row.authenticator_state) return null;
  return {
    state: row.authenticator_state as AuthenticatorStateName,
    pendingExpiresAt: rawDate(row.pending_expires_at),
    confirmedAt: rawDate(row.confirmed_at),
    recoveryCodesRemaining: rawInt(row.recovery_codes_remaining),
    totpEnabled: rawBool(row.totp_enabled),
    passkeyCount: rawInt(row.passkey_count),
  };
}

/** Per request: pairKey(tenantId, agentId) → snapshot, one statement per tenant in the batch. */
export function createTwoFactorStatusLoader(db: Database) {
  return new DataLoader<string, StatusSnapshot | null>(async (keys) => {
    const found = new Map<string, StatusSnapshot | null>();
    for (const [tenantId, agentIds] of groupByTenant(keys)) {
      const rows = await sqlRows(
        db.manager,
        `SELECT a.agent_id AS agent_id, ${STATUS_COLUMNS.join(', ')}, ${RECOVERY_CODES_REMAINING} AS recovery_codes_remaining,
                  ${PASSKEY_COUNT} AS passkey_count
           FROM authenticators a WHERE a.tenant_id = ? AND a.agent_id IN (${placeholders(agentIds)})`,
        [tenantId, ...agentIds],
      );
      for (const row of rows) found.set(pairKey(tenantId, row.agent_id as string), statusSnapshotFromRow(row));
    }
    return keys.map((key) => found.get(key) ?? null);
  });
}

/** The pair's status as a transaction sees it (after a change it made), with everything the status shows. */
export async function pairStatusIn(tx: Tx, tenantId: string, agentId: string, now: Date): Promise<TwoFactorStatus> {
  const [row] = await sqlRows(
    tx,
    `SELECT ${STATUS_COLUMNS.join(', ')}, ${RECOVERY_CODES_REMAINING} AS recovery_codes_remaining, ${PASSKEY_COUNT} AS passkey_count
       FROM authenticators a WHERE a.tenant_id = ? AND a.agent_id = ?`,
    [tenantId, agentId],
  );
  return toTwoFactorStatus(row ? statusSnapshotFromRow(row) : null, now, { tenantId, agentId });
}
