import { createHash } from 'node:crypto';
import type { Clock } from '../clock';
import { Database, isUniqueViolation, sqlExecute } from '../db/database';
import { DomainError } from '../errors/domain-error';

/**
 * NIST SP 800-63B §5.2.2 asks to limit consecutive failed attempts on one account, whatever address they come
 * from (the per-IP budget alone lets a botnet guess on). 10 in a row lock the account's sign-in for 15 minutes.
 */
export const SIGN_IN_FAILURE_THRESHOLD = 10;
export const SIGN_IN_LOCK_MS = 15 * 60_000;

/**
 * Consecutive failed sign-ins per email, in the shared `rate_limit_buckets` table (`hits` = failures in a row,
 * `window_start` = the latest one). Kept by email, whether or not an account has it, so an unknown email locks
 * exactly like a known one and nothing tells them apart; the key is the email's SHA-256, so the table holds no
 * addresses.
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

  /** Counts one attempt against the email, or RATE_LIMITED while its sign-in is locked. */
  async claimAttempt(normalizedEmail: string): Promise<void> {
    const key = bucketKey(normalizedEmail);
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

  /** The right password: the failures before it no longer count. */
  async succeeded(normalizedEmail: string): Promise<void> {
    await this.db.autocommit((manager) => sqlExecute(manager, 'DELETE FROM rate_limit_buckets WHERE bucket_key = ?', [bucketKey(normalizedEmail)]));
  }
}

function bucketKey(normalizedEmail: string): string {
  return `sign-in-account:${createHash('sha256').update(normalizedEmail).digest('hex')}`;
}
