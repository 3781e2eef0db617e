import { rawBool, rawDate } from '../db/raw';

/**
 * A member's latest sign-in that entered this tenant (never one that only went elsewhere) and whether it passed
 * this tenant's second factor: SELECT fragments of the agent listing's row (tenant_memberships m, sessions s).
 */
export interface LastSignIn {
  at: Date;
  usedTwoFactor: boolean;
}

export const LAST_SIGN_IN_AT = 's.created_at';
export const LAST_SIGN_IN_USED_TWO_FACTOR = (tenantParam: string) =>
  `CASE WHEN EXISTS (SELECT 1 FROM tenant_standings st WHERE st.session_id = s.id AND st.tenant_id = ${tenantParam}) THEN 1 ELSE 0 END`;

export function lastSignInFromRow(row: Record<string, unknown>): LastSignIn | null {
  const at = rawDate(row.last_sign_in_at);
  return at ? { at, usedTwoFactor: rawBool(row.last_sign_in_used_two_factor) } : null;
}
