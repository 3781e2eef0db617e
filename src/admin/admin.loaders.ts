import DataLoader from 'dataloader';
import { Database, sqlRows } from '../db/database';
import { placeholders, rawBool, rawDate } from '../db/raw';
import { groupByTenant, pairKey } from '../tenancy/pair-key';

export interface LastSignIn {
  at: Date;
  usedTwoFactor: boolean;
}

/** SELECT fragments shared by the loader and the agent listing, which primes it. */
export const LAST_SIGN_IN_AT = 's.created_at';
export const LAST_SIGN_IN_USED_TWO_FACTOR = (tenantParam: string) =>
  `CASE WHEN EXISTS (SELECT 1 FROM tenant_standings st WHERE st.session_id = s.id AND st.tenant_id = ${tenantParam}) THEN 1 ELSE 0 END`;

export function lastSignInFromRow(row: Record<string, unknown>): LastSignIn | null {
  const at = rawDate(row.last_sign_in_at);
  return at ? { at, usedTwoFactor: rawBool(row.last_sign_in_used_two_factor) } : null;
}

export function createAdminLoaders(db: Database) {
  return {
    /**
     * pairKey(tenantId, agentId) → the agent's latest sign-in that entered this tenant (never one that only went
     * elsewhere) and whether it passed this tenant's second factor.
     */
    lastSignIn: new DataLoader<string, LastSignIn | null>(async (keys) => {
      const found = new Map<string, LastSignIn | null>();
      for (const [tenantId, agentIds] of groupByTenant(keys)) {
        const rows = await sqlRows(
          db.manager,
          `SELECT m.agent_id AS agent_id, ${LAST_SIGN_IN_AT} AS last_sign_in_at, ${LAST_SIGN_IN_USED_TWO_FACTOR('m.tenant_id')} AS last_sign_in_used_two_factor
             FROM tenant_memberships m JOIN sessions s ON s.id = m.last_session_id
            WHERE m.tenant_id = ? AND m.agent_id IN (${placeholders(agentIds)})`,
          [tenantId, ...agentIds],
        );
        for (const row of rows) found.set(pairKey(tenantId, row.agent_id as string), lastSignInFromRow(row));
      }
      return keys.map((key) => found.get(key) ?? null);
    }),
  };
}
