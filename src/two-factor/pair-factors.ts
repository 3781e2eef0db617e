import { Database, sqlRows, Tx } from '../db/database';
import { rawBool, rawInt } from '../db/raw';

/**
 * The pair's second factors (TOTP on or not, how many passkeys), read under a lock on the pair's authenticator
 * row (SQLite: its transactions take turns already), so that two removals racing each other (a passkey and
 * TOTP, or two passkeys), from one process or several, are decided one after the other and cannot together
 * remove the last factor (LAST_FACTOR).
 */
export async function lockPairFactors(db: Database, tx: Tx, authenticatorId: string, tenantId: string, agentId: string): Promise<{ totpEnabled: boolean; passkeyCount: number }> {
  const [row] = await sqlRows(
    tx,
    `SELECT a.totp_enabled, (SELECT COUNT(*) FROM passkeys p WHERE p.tenant_id = ? AND p.agent_id = ?) AS passkeys
       FROM authenticators a WHERE a.id = ?${db.isSqlite ? '' : ' FOR UPDATE'}`,
    [tenantId, agentId, authenticatorId],
  );
  return { totpEnabled: rawBool(row?.totp_enabled), passkeyCount: rawInt(row?.passkeys) };
}
