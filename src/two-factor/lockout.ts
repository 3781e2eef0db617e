import type { SqlStatement } from '../db/one-round-trip';
import { sqlExecute, sqlRows, Tx } from '../db/database';
import { rawDate, rawInt } from '../db/raw';
import { DomainError } from '../errors/domain-error';
import { SpecificMessages } from '../errors/error-codes';
import { LOCKOUT_DURATION_MS, LOCKOUT_FAILURE_THRESHOLD } from './limits';
import { isTotpClosed, nthLock, TOTP_CLOSING_LOCK } from './lock-escalation';

/**
 * The pair's lock-out: consecutive wrong answers of one agent in one tenant (challenge answers and enrolment
 * confirmations alike) are counted on its authenticator row; every 10th locks answers, confirmations and new
 * challenges, for longer with each lock in a row, and the 10th lock in a row closes TOTP (lock-escalation.ts
 * decides how each lock holds; the arithmetic is in limits.ts). A right answer starts the count and the locks in
 * a row again.
 *
 * The lock is decided inside the statement that accepts or counts an answer (`NOT_LOCKED`, and `TOTP_OPEN` for a
 * TOTP code), never only from an earlier read: an answer read before a racing 10th failure locked the pair must
 * not pass after it.
 */

/** SQL condition on `authenticators`: the pair is not locked now (bind `now` for the `?`). */
export const NOT_LOCKED = '(locked_until IS NULL OR locked_until <= ?)';

/** SQL condition on `authenticators`: the pair's locks in a row have not closed TOTP. */
export const TOTP_OPEN = `consecutive_locks < ${TOTP_CLOSING_LOCK}`;

/** The pair's failure count and locks in a row, as read earlier in the transaction. */
export interface FailuresRead {
  consecutiveFailures: number;
  consecutiveLocks: number;
}

/** A lock a failure has just set. */
export interface LockSet {
  lockedUntil: Date;
  /** The pair's locks in a row, this one included. */
  consecutiveLocks: number;
}

/** RATE_LIMITED while the lock holds. */
export function assertTwoFactorNotLocked(lockedUntil: Date | null, now: Date): void {
  if (lockedUntil && lockedUntil > now) throw lockedError(now, lockedUntil);
}

/** RATE_LIMITED (`reason: TOTP_CLOSED`, with no time to wait) once the pair's locks in a row have closed TOTP. */
export function assertTotpOpen(consecutiveLocks: number): void {
  if (isTotpClosed(consecutiveLocks)) throw new DomainError('RATE_LIMITED', { reason: 'TOTP_CLOSED' }, SpecificMessages.TOTP_CLOSED);
}

/**
 * After a conditional update guarded by `NOT_LOCKED` (and `TOTP_OPEN` for a TOTP code) matched nothing:
 * RATE_LIMITED if the lock is why, and nothing otherwise (the caller's other conditions failed).
 */
export async function assertStillNotLocked(tx: Tx, authenticatorId: string, now: Date, answering: 'TOTP' | 'any' = 'any'): Promise<void> {
  const lock = await committedLock(tx, authenticatorId);
  assertTwoFactorNotLocked(lock.lockedUntil, now);
  if (answering === 'TOTP') assertTotpOpen(lock.consecutiveLocks);
}

/**
 * One more consecutive failure for the pair; every 10th locks it. Throws RATE_LIMITED (and counts nothing) when
 * the pair is locked already. Answers the lock this failure set, if it set one.
 *
 * `read` is the pair as read earlier in the transaction: while the row still holds it, one statement counts, or
 * locks at the threshold. When a racing answer changed the count meanwhile, the general two-statement path
 * below decides. (There each SET reads only its own column, because MySQL applies SET clauses left to right
 * while SQLite reads the old row.)
 */
export async function recordTwoFactorFailure(tx: Tx, authenticatorId: string, now: Date, read?: FailuresRead): Promise<LockSet | null> {
  if (read) {
    const asRead = failureAsRead(authenticatorId, read, now);
    if ((await sqlExecute(tx, asRead.update.sql, asRead.update.params)) === 1) return asRead.lock;
  }
  const counted = await sqlExecute(tx, `UPDATE authenticators SET consecutive_failures = consecutive_failures + 1 WHERE id = ? AND ${NOT_LOCKED}`, [
    authenticatorId,
    now,
  ]);
  if (counted !== 1) throw lockedError(now, (await committedLock(tx, authenticatorId)).lockedUntil);
  return lockIfThresholdReached(tx, authenticatorId, now);
}

/**
 * recordTwoFactorFailure's one statement while the row still holds what was read: it counts the failure, or locks
 * at the threshold (one row when it did; none when a racing answer changed the row, or the pair is locked), and
 * the lock it sets then. Also sent inside a statement batch (answer.service.ts).
 */
export function failureAsRead(authenticatorId: string, read: FailuresRead, now: Date): { update: SqlStatement; lock: LockSet | null } {
  if (read.consecutiveFailures + 1 < LOCKOUT_FAILURE_THRESHOLD) {
    return {
      update: {
        sql: `UPDATE authenticators SET consecutive_failures = ? WHERE id = ? AND consecutive_failures = ? AND ${NOT_LOCKED}`,
        params: [read.consecutiveFailures + 1, authenticatorId, read.consecutiveFailures, now],
      },
      lock: null,
    };
  }
  const lock = lockAfter(read.consecutiveLocks, now);
  return {
    update: {
      sql: `UPDATE authenticators SET locked_until = ?, consecutive_failures = 0, consecutive_locks = ?
             WHERE id = ? AND consecutive_failures = ? AND consecutive_locks = ? AND ${NOT_LOCKED}`,
      params: [lock.lockedUntil, lock.consecutiveLocks, authenticatorId, read.consecutiveFailures, read.consecutiveLocks, now],
    },
    lock,
  };
}

/**
 * The failure count reached the threshold (by `recordTwoFactorFailure`, or by a statement that counts another
 * column in the same UPDATE, like an enrolment confirmation's attempts): lock the pair for as long as its locks
 * in a row say, and start the count again. Runs after this transaction's own UPDATE of the row, so the row it
 * reads is the current one (held by that UPDATE on MySQL/MariaDB).
 */
export async function lockIfThresholdReached(tx: Tx, authenticatorId: string, now: Date): Promise<LockSet | null> {
  const [row] = await sqlRows(tx, 'SELECT consecutive_failures, consecutive_locks FROM authenticators WHERE id = ?', [authenticatorId]);
  if (!row || rawInt(row.consecutive_failures) < LOCKOUT_FAILURE_THRESHOLD) return null;
  const lock = lockAfter(rawInt(row.consecutive_locks), now);
  const locked = await sqlExecute(
    tx,
    'UPDATE authenticators SET locked_until = ?, consecutive_failures = 0, consecutive_locks = ? WHERE id = ? AND consecutive_failures >= ? AND consecutive_locks = ?',
    [lock.lockedUntil, lock.consecutiveLocks, authenticatorId, LOCKOUT_FAILURE_THRESHOLD, lock.consecutiveLocks - 1],
  );
  return locked === 1 ? lock : null;
}

/**
 * A right answer starts the count and the locks in a row again (so it also opens TOTP once more), only while the
 * pair is not locked: false when it is (the caller then rolls its claim back with `lockedError`). Factors that
 * claim in their own UPDATE of `authenticators` put the same resets and `NOT_LOCKED` in that statement instead.
 */
export async function resetTwoFactorFailures(tx: Tx, authenticatorId: string, now: Date): Promise<boolean> {
  return (await sqlExecute(tx, `UPDATE authenticators SET consecutive_failures = 0, consecutive_locks = 0 WHERE id = ? AND ${NOT_LOCKED}`, [authenticatorId, now])) === 1;
}

/**
 * The pair's lock as committed now. A locking read on MySQL/MariaDB: a plain SELECT would see the snapshot
 * the transaction began with, from before a racing answer locked the pair.
 */
export async function committedLock(tx: Tx, authenticatorId: string): Promise<{ lockedUntil: Date | null; consecutiveLocks: number }> {
  const isSqlite = tx.connection.options.type === 'better-sqlite3'; // one writer at a time already
  const [row] = await sqlRows(tx, `SELECT locked_until, consecutive_locks FROM authenticators WHERE id = ?${isSqlite ? '' : ' FOR UPDATE'}`, [authenticatorId]);
  return { lockedUntil: rawDate(row?.locked_until), consecutiveLocks: rawInt(row?.consecutive_locks) };
}

/** RATE_LIMITED with the seconds the lock still holds (the first lock's time when it is not known). */
export function lockedError(now: Date, lockedUntil: Date | null): DomainError {
  return new DomainError('RATE_LIMITED', { retryAfterSeconds: lockedUntil ? secondsUntil(now, lockedUntil) : Math.ceil(LOCKOUT_DURATION_MS / 1000) });
}

/** Whole seconds from `now` until `instant`, at least 1. */
export function secondsUntil(now: Date, instant: Date): number {
  return Math.max(1, Math.ceil((instant.getTime() - now.getTime()) / 1000));
}

/** Whether an error is the lock's refusal (for the metric of refused answers). */
export function isLockedError(error: unknown): boolean {
  return error instanceof DomainError && error.code === 'RATE_LIMITED';
}

/** The lock that follows `locksSoFar` locks in a row. */
function lockAfter(locksSoFar: number, now: Date): LockSet {
  const consecutiveLocks = locksSoFar + 1;
  return { lockedUntil: new Date(now.getTime() + nthLock(consecutiveLocks).durationMs), consecutiveLocks };
}
