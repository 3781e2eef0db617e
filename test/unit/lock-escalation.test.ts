import { describe, expect, it } from 'vitest';
import { LOCKOUT_DURATION_MS, LOCKOUT_FAILURE_THRESHOLD, LOCKOUT_MAX_CONSECUTIVE_FAILURES } from '../../src/two-factor/limits';
import { isTotpClosed, nthLock, TOTP_CLOSING_LOCK } from '../../src/two-factor/lock-escalation';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

describe('the lock escalation of a pair', () => {
  it('locks for 15 minutes first and doubles with each lock in a row, up to 64 hours for the 9th', () => {
    const durations = [1, 2, 3, 4, 5, 6, 7, 8, 9].map((n) => nthLock(n));
    expect(durations.map((lock) => lock.durationMs)).toEqual([15 * MINUTE, 30 * MINUTE, HOUR, 2 * HOUR, 4 * HOUR, 8 * HOUR, 16 * HOUR, 32 * HOUR, 64 * HOUR]);
    expect(durations.every((lock) => !lock.closesTotp)).toBe(true);
  });

  it('closes TOTP at the 10th lock (the 100th failure in a row), locking 15 minutes from then on', () => {
    expect(TOTP_CLOSING_LOCK).toBe(10);
    for (const n of [10, 11, 25]) expect(nthLock(n)).toEqual({ durationMs: 15 * MINUTE, closesTotp: true });
    expect([0, 1, 9].map(isTotpClosed)).toEqual([false, false, false]);
    expect([10, 11].map(isTotpClosed)).toEqual([true, true]);
  });

  // limits.ts's arithmetic, recomputed from the schedule itself.
  it('lets a guesser at most 100 guesses before TOTP closes, spread over 127 h 45 min of locks: below 1 % a year', () => {
    expect(LOCKOUT_MAX_CONSECUTIVE_FAILURES).toBeLessThanOrEqual(100); // NIST SP 800-63B §5.2.2
    const timedLocks = Array.from({ length: TOTP_CLOSING_LOCK - 1 }, (_, i) => nthLock(i + 1).durationMs);
    expect(timedLocks.reduce((sum, ms) => sum + ms, 0)).toBe(127 * HOUR + 45 * MINUTE);
    const guesses = TOTP_CLOSING_LOCK * LOCKOUT_FAILURE_THRESHOLD;
    expect(guesses).toBe(100);
    const perGuess = 3 / 10 ** 6; // the current step and one either side
    expect(guesses * perGuess).toBeCloseTo(0.0003, 6);
    // The agent passing in between starts a new run: even 33 whole runs a year stay below 1 %.
    expect(33 * guesses * perGuess).toBeLessThan(0.01);
    // Within one day after a pass, the schedule allows 7 locks (70 guesses): the 8th would wait 31 h 45 min.
    const locksWithinADay = timedLocks.reduce((acc, ms) => (acc.elapsed + ms <= 24 * HOUR ? { elapsed: acc.elapsed + ms, count: acc.count + 1 } : acc), { elapsed: 0, count: 1 });
    expect(locksWithinADay.count * LOCKOUT_FAILURE_THRESHOLD).toBe(70);
    expect(LOCKOUT_DURATION_MS).toBe(15 * MINUTE);
  });
});
