import { sqlExecute, sqlRows, Tx } from '../db/database';
import { rawDate } from '../db/raw';
import { DomainError } from '../errors/domain-error';
import { LOCKOUT_DURATION_MS, LOCKOUT_FAILURE_THRESHOLD } from './limits';

/**
 * The pair's lock-out: consecutive wrong answers of one agent in one tenant (challenge answers and enrolment
 * confirmations alike) are counted on its authenticator row; the 10th locks answers, confirmations and new
 * challenges for 15 minutes. A right answer starts the count again.
 *
 * The lock is decided inside the statement that accepts or counts an answer (`NOT_LOCKED`), never only from
 * an earlier read: an answer read before a racing 10th failure locked the pair must not pass after it.
 */

/** SQL condition on `authenticators`: the pair is not locked now (bind `now` for the `?`). */
export const NOT_LOCKED = '(locked_until IS NULL OR locked_until <= ?)';

/** RATE_LIMITED while the lock holds. */
export function assertTwoFactorNotLocked(lockedUntil: Date | null, now: Date): void {
  if (lockedUntil && lockedUntil > now) throw lockedError(now, lockedUntil);
}

/**
 * After a conditional update guarded by `NOT_LOCKED` matched nothing: RATE_LIMITED if the lock is why, and
 * nothing otherwise (the caller's other conditions failed).
 */
export async function assertStillNotLocked(tx: Tx, authenticatorId: string, now: Date): Promise<void> {
  assertTwoFactorNotLocked(await committedLock(tx, authenticatorId), now);
}

/**
 * One more consecutive failure for the pair; the 10th locks it. Throws RATE_LIMITED (and counts nothing) when
 * the pair is locked already. Answers whether this failure locked it.
 *
 * `failuresRead` is the count as read earlier in the transaction: while the row still holds it, one statement
 * counts, or locks at the threshold. When a racing answer changed the count meanwhile, the general two-statement
 * path below decides. (There each SET reads only its own column, because MySQL applies SET clauses left to
 * right while SQLite reads the old row.)
 */
export async function recordTwoFactorFailure(tx: Tx, authenticatorId: string, now: Date, failuresRead?: number): Promise<{ locked: boolean }> {
  if (failuresRead !== undefined) {
    const locks = failuresRead + 1 >= LOCKOUT_FAILURE_THRESHOLD;
    const counted = locks
      ? await sqlExecute(tx, `UPDATE authenticators SET locked_until = ?, consecutive_failures = 0 WHERE id = ? AND consecutive_failures = ? AND ${NOT_LOCKED}`, [
          new Date(now.getTime() + LOCKOUT_DURATION_MS),
          authenticatorId,
          failuresRead,
          now,
        ])
      : await sqlExecute(tx, `UPDATE authenticators SET consecutive_failures = ? WHERE id = ? AND consecutive_failures = ? AND ${NOT_LOCKED}`, [
          failuresRead + 1,
          authenticatorId,
          failuresRead,
          now,
        ]);
    if (counted === 1) return { locked: locks };
  }
  const counted = await sqlExecute(tx, `UPDATE authenticators SET consecutive_failures = consecutive_failures + 1 WHERE id = ? AND ${NOT_LOCKED}`, [
    authenticatorId,
    now,
  ]);
  if (counted !== 1) throw lockedError(now, await committedLock(tx, authenticatorId));
  return { locked: await lockIfThresholdReached(tx, authenticatorId, now) };
}

/**
 * The failure count reached the threshold (by `recordTwoFactorFailure`, or by a statement that counts another
 * column in the same UPDATE, like an enrolment confirmation's attempts): lock the pair and start the count again.
 */
export async function lockIfThresholdReached(tx: Tx, authenticatorId: string, now: Date): Promise<boolean> {
  const locked = await sqlExecute(tx, 'UPDATE authenticators SET locked_until = ?, consecutive_failures = 0 WHERE id = ? AND consecutive_failures >= ?', [
    new Date(now.getTime() + LOCKOUT_DURATION_MS),
    authenticatorId,
    LOCKOUT_FAILURE_THRESHOLD,
  ]);
  return locked === 1;
}

/**
 * A right answer starts the count again, only while the pair is not locked: false when it is (the caller then
 * rolls its claim back with `lockedError`). Factors that claim in their own UPDATE of `authenticators` put
 * `consecutive_failures = 0` and `NOT_LOCKED` in that statement instead.
 */
export async function resetTwoFactorFailures(tx: Tx, authenticatorId: string, now: Date): Promise<boolean> {
  return (await sqlExecute(tx, `UPDATE authenticators SET consecutive_failures = 0 WHERE id = ? AND ${NOT_LOCKED}`, [authenticatorId, now])) === 1;
}

/**
 * The pair's lock as committed now. A locking read on MySQL/MariaDB: a plain SELECT would see the snapshot
 * the transaction began with, from before a racing answer locked the pair.
 */
export async function committedLock(tx: Tx, authenticatorId: string): Promise<Date | null> {
  const isSqlite = tx.connection.options.type === 'better-sqlite3'; // one writer at a time already
  const [row] = await sqlRows(tx, `SELECT locked_until FROM authenticators WHERE id = ?${isSqlite ? '' : ' FOR UPDATE'}`, [authenticatorId]);
  return rawDate(row?.locked_until);
}

/** RATE_LIMITED with the seconds the lock still holds (the full lock time when it is not known). */
export function lockedError(now: Date, lockedUntil: Date | null): DomainError {
  const seconds = lockedUntil ? Math.ceil((lockedUntil.getTime() - now.getTime()) / 1000) : Math.ceil(LOCKOUT_DURATION_MS / 1000);
  return new DomainError('RATE_LIMITED', { retryAfterSeconds: Math.max(1, seconds) });
}

/** Whether an error is the lock's refusal (for the metric of refused answers). */
export function isLockedError(error: unknown): boolean {
  return error instanceof DomainError && error.code === 'RATE_LIMITED';
}
