import { hashLinkToken, newLinkToken } from '../crypto/tokens';
import { sqlExecute, sqlRows, Tx } from '../db/database';
import type { AccountTokenPurpose } from '../db/entities/account-token.entity';
import { newId } from '../db/ids';
import { assertThat } from '../errors/domain-error';

/** How long each link works: a reset link half an hour (OWASP Forgot Password Cheat Sheet), a verification link a day. */
export const ACCOUNT_TOKEN_LIFETIME_MS: Record<AccountTokenPurpose, number> = {
  PASSWORD_RESET: 30 * 60_000,
  EMAIL_VERIFICATION: 24 * 3600_000,
};

export interface IssuedToken {
  token: string;
  expiresAt: Date;
}

/**
 * Issues a link token in the caller's transaction: 256 random bits, stored only as its SHA-256. The agent's older
 * unused tokens of the purpose stop working (a newer request supersedes them), and expired rows of any agent go
 * (the table stays as small as the last day's links). `agentId` null: a reset request for an address without an
 * account, which runs the very same statements and keeps a row no one can redeem, so its answer takes as long.
 */
export async function issueAccountToken(tx: Tx, agentId: string | null, purpose: AccountTokenPurpose, now: Date): Promise<IssuedToken> {
  const token = newLinkToken();
  const expiresAt = new Date(now.getTime() + ACCOUNT_TOKEN_LIFETIME_MS[purpose]);
  await sqlExecute(tx, 'DELETE FROM account_tokens WHERE (agent_id = ? AND purpose = ? AND used_at IS NULL) OR expires_at <= ?', [agentId ?? '', purpose, now]);
  await sqlExecute(tx, 'INSERT INTO account_tokens (id, agent_id, purpose, token_hash, created_at, expires_at, used_at) VALUES (?, ?, ?, ?, ?, ?, NULL)', [
    newId(),
    agentId,
    purpose,
    hashLinkToken(token),
    now,
    expiresAt,
  ]);
  return { token, expiresAt };
}

/**
 * Spends a link token in the caller's transaction and answers whose it was. Wrong, used, expired, of another
 * purpose, or written for an address without an account: INVALID_TOKEN, all alike. The conditional UPDATE lets
 * one of two racing uses through.
 */
export async function claimAccountToken(tx: Tx, token: string, purpose: AccountTokenPurpose, now: Date): Promise<string> {
  const [row] = await sqlRows<{ id: string; agent_id: string | null }>(
    tx,
    'SELECT id, agent_id FROM account_tokens WHERE token_hash = ? AND purpose = ? AND used_at IS NULL AND expires_at > ?',
    [hashLinkToken(token), purpose, now],
  );
  assertThat(row?.agent_id, 'INVALID_TOKEN');
  const claimed = await sqlExecute(tx, 'UPDATE account_tokens SET used_at = ? WHERE id = ? AND used_at IS NULL', [now, row.id]);
  assertThat(claimed === 1, 'INVALID_TOKEN');
  return row.agent_id;
}

/** The agent's other unused tokens of the purpose stop working (a reset spent one link: the others go with it). */
export async function dropAccountTokens(tx: Tx, agentId: string, purpose: AccountTokenPurpose): Promise<void> {
  await sqlExecute(tx, 'DELETE FROM account_tokens WHERE agent_id = ? AND purpose = ? AND used_at IS NULL', [agentId, purpose]);
}
