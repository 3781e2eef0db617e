import DataLoader from 'dataloader';
import { Database, sqlRows } from '../db/database';
import type { AuthenticatorStateName } from '../db/entities/authenticator.entity';
import { placeholders, rawDate, rawInt } from '../db/raw';
import { groupByTenant, pairKey } from '../tenancy/pair-key';
import { AuthenticatorSnapshot, twoFactorState } from './authenticator-state';
import { SECOND_FACTORS } from './factors/registry';
import { TwoFactorStatus } from './two-factor.types';

/** An authenticator as the status needs it, with its unused recovery codes counted. */
export interface StatusSnapshot extends AuthenticatorSnapshot {
  recoveryCodesRemaining: number;
}

/** Maps the stored authenticator (or its absence) to the client-facing status: never the secret. */
export function toTwoFactorStatus(snapshot: StatusSnapshot | null, now: Date): TwoFactorStatus {
  const state = twoFactorState(snapshot, now);
  const enabled = state === 'ENABLED' ? snapshot! : null;
  const remaining = enabled ? enabled.recoveryCodesRemaining : 0;
  return Object.assign(new TwoFactorStatus(), {
    state,
    enabled: state === 'ENABLED',
    // Every factor usable for an ENABLED pair, in registry order (e.g. [TOTP, RECOVERY_CODE]); none otherwise.
    methods: enabled ? SECOND_FACTORS.filter((factor) => factor.isUsable(enabled)).map((factor) => factor.method) : [],
    recoveryCodesRemaining: remaining,
    confirmedAt: state === 'ENABLED' ? snapshot!.confirmedAt : null,
  });
}

/** SELECT fragments shared by the status loader and the admin listing, which primes it. */
export const STATUS_COLUMNS = [
  'a.state AS authenticator_state',
  'a.pending_expires_at AS pending_expires_at',
  'a.confirmed_at AS confirmed_at',
];
export const RECOVERY_CODES_REMAINING =
  '(SELECT COUNT(*) FROM recovery_codes r WHERE r.tenant_id = a.tenant_id AND r.agent_id = a.agent_id AND r.used_at IS NULL)';

export function statusSnapshotFromRow(row: Record<string, unknown>): StatusSnapshot | null {
  if (!row.authenticator_state) return null;
  return {
    state: row.authenticator_state as AuthenticatorStateName,
    pendingExpiresAt: rawDate(row.pending_expires_at),
    confirmedAt: rawDate(row.confirmed_at),
    recoveryCodesRemaining: rawInt(row.recovery_codes_remaining),
  };
}

/** Per request: pairKey(tenantId, agentId) → snapshot, one statement per tenant in the batch. */
export function createTwoFactorStatusLoader(db: Database) {
  return new DataLoader<string, StatusSnapshot | null>(async (keys) => {
    const found = new Map<string, StatusSnapshot | null>();
    for (const [tenantId, agentIds] of groupByTenant(keys)) {
      const rows = await sqlRows(
        db.manager,
        `SELECT a.agent_id AS agent_id, ${STATUS_COLUMNS.join(', ')}, ${RECOVERY_CODES_REMAINING} AS recovery_codes_remaining
           FROM authenticators a WHERE a.tenant_id = ? AND a.agent_id IN (${placeholders(agentIds)})`,
        [tenantId, ...agentIds],
      );
      for (const row of rows) found.set(pairKey(tenantId, row.agent_id as string), statusSnapshotFromRow(row));
    }
    return keys.map((key) => found.get(key) ?? null);
  });
}
