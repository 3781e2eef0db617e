import { LOCKOUT_DURATION_MS, LOCKOUT_FAILURE_THRESHOLD, LOCKOUT_MAX_CONSECUTIVE_FAILURES } from './limits';

/** How one lock of a pair holds. */
export interface PairLock {
  /** How long the pair's answers, enrolment confirmations and new challenges are refused. */
  durationMs: number;
  /** From this lock on, TOTP codes are refused, unjudged, until a recovery code, a passkey or an admin reset. */
  closesTotp: boolean;
}

/** The lock in a row whose failures reach the cap (the 10th): from it on, TOTP stays closed. */
export const TOTP_CLOSING_LOCK = LOCKOUT_MAX_CONSECUTIVE_FAILURES / LOCKOUT_FAILURE_THRESHOLD;

/**
 * The pair's n-th lock in a row (n ≥ 1, counted since its last right answer), the arithmetic behind it in
 * limits.ts:
 *
 * | n         | lock                                  | TOTP afterwards                                          |
 * |-----------|---------------------------------------|----------------------------------------------------------|
 * | 1         | 15 min                                | open                                                     |
 * | 2 … 9     | twice the one before: 30 min … 64 h   | open                                                     |
 * | 10 and on | 15 min                                | closed until a recovery code, a passkey or an admin reset |
 *
 * Past the cap the lock goes back to 15 minutes: TOTP no longer counts, and what is left to answer with (recovery
 * codes, passkeys) cannot be guessed, so a longer lock would only keep the agent from its recovery codes.
 */
export function nthLock(n: number): PairLock {
  if (isTotpClosed(n)) return { durationMs: LOCKOUT_DURATION_MS, closesTotp: true };
  return { durationMs: LOCKOUT_DURATION_MS * 2 ** (n - 1), closesTotp: false };
}

/** A pair locked `locks` times in a row refuses TOTP codes. */
export function isTotpClosed(locks: number): boolean {
  return locks >= TOTP_CLOSING_LOCK;
}
