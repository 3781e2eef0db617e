import { createHash } from 'node:crypto';
import type { Clock } from '../clock';
import { Database, isUniqueViolation, sqlExecute, sqlRows } from '../db/database';
import { rawInt } from '../db/raw';
import { DomainError } from '../errors/domain-error';

/**
 * NIST SP 800-63B §5.2.2 asks to limit consecutive failed attempts on one account, whatever address they come
 * from (the per-IP budget alone lets a botnet guess on). 10 in a row lock the account's sign-in for 15 minutes.
 */
export const SIGN_IN_FAILURE_THRESHOLD = 10;
export const SIGN_IN_LOCK_MS = 15 * 60_000;

/**
 * Consecutive failed sign-ins per account, in the shared `rate_limit_buckets` table (`hits` = failures in a row,
 * `window_start` = the latest one). Counted against the agent row the address found, so every spelling that
 * reaches the account spends from one count; an address with no account counts against itself, so an unknown
 * address locks exactly like a known one and nothing tells them apart (the same statements, in the same order).
 * The key is a SHA-256 either way, so the table holds no addresses.
 *
 * An attempt is claimed before its password is checked, in one conditional statement, so answers in flight
 * cannot exceed the threshold: the claim that would be the 11th is refused while the lock holds. A success
 * deletes the row (the count starts over).
 */
export class AccountSignInLock {
  constructor(
    private readonly db: Database,
    private readonly clock: Clock,
  ) {}

  /** Counts one attempt against the account, or RATE_LIMITED while its sign-in is locked. */
  async claimAttempt(account: SignInAccount): Promise<void> {
    const key = bucketKey(account);
    const now = this.clock.now();
    const lockedSince = new Date(now.getTime() - SIGN_IN_LOCK_MS);
    const write = (sql: string, params: unknown[]) => this.db.autocommit((manager) => sqlExecute(manager, sql, params));
    // Below the threshold, or the lock has run out (then the count starts over at this attempt).
    const claim = () =>
      write(
        `UPDATE rate_limit_buckets SET hits = CASE WHEN hits >= ? THEN 1 ELSE hits + 1 END, window_start = ?
          WHERE bucket_key = ? AND (hits < ? OR window_start <= ?)`,
        [SIGN_IN_FAILURE_THRESHOLD, now, key, SIGN_IN_FAILURE_THRESHOLD, lockedSince],
      );
    // No row matched: the email has none (insert it), or it is locked. A success deletes the row, so a racing
    // request may insert it, and another delete it, between our statements: try again a few times.
    for (let round = 0; round < 3; round++) {
      if ((await claim()) === 1) return;
      try {
        if ((await write('INSERT INTO rate_limit_buckets (bucket_key, window_start, hits) VALUES (?, ?, 1)', [key, now])) === 1) return;
      } catch (error) {
        if (!isUniqueViolation(error)) throw error; // another request made the row first: claim on it
      }
    }
    throw new DomainError('RATE_LIMITED', { retryAfterSeconds: Math.ceil(SIGN_IN_LOCK_MS / 1000) });
  }

  /**
   * A wrong password after its attempt was claimed: whether it was the one that locked the account (its count
   * reached the threshold). Exactly one failure per lock is that one, since the claims after it are refused.
   */
  async failedAndLocked(account: SignInAccount): Promise<boolean> {
    const [row] = await sqlRows(this.db.manager, 'SELECT hits FROM rate_limit_buckets WHERE bucket_key = ?', [bucketKey(account)]);
    return rawInt(row?.hits) === SIGN_IN_FAILURE_THRESHOLD;
  }

  /** The right password: the failures before it no longer count. */
  async succeeded(account: SignInAccount): Promise<void> {
    await this.db.autocommit((manager) => sqlExecute(manager, 'DELETE FROM rate_limit_buckets WHERE bucket_key = ?', [bucketKey(account)]));
  }
}

/** The agent row a sign-in's address found, or the (normalised) address that found none. */
export type SignInAccount = { agentId: string } | { unknownEmail: string };

function bucketKey(account: SignInAccount): string {
  const subject = 'agentId' in account ? `agent:${account.agentId}` : `email:${account.unknownEmail}`;
  return `sign-in-account:${createHash('sha256').update(subject).digest('hex')}`;
}
