/**
 * Attempt limits and lifetimes.
 *
 * The pair's lock-out (one agent in one tenant), against a guesser who holds the password and answers TOTP
 * challenges as fast as the locks allow. NIST SP 800-63B §5.2.2 asks for rate limiting that caps consecutive failed
 * attempts on one account at no more than 100, and allows waiting periods that grow between them:
 * - every 10 consecutive failures lock the pair (answers, enrolment confirmations, new challenges); each lock in
 *   a row lasts twice the one before: 15 min, 30 min, 1 h, … 64 h for the 9th (lock-escalation.ts);
 * - the 100th consecutive failure (the 10th lock) closes TOTP: codes from the app are refused unjudged until a
 *   recovery code, a passkey or an admin reset opens the pair again;
 * - a right answer starts the count and the escalation again.
 *
 * The arithmetic. A guess is right with probability 3/10^6 (the current step and one either side). Before, the
 * count simply started over after each 15-minute lock: 10 guesses per 15 minutes, 960 a day, about 8 % a month.
 * Now a run of failures holds at most 100 guesses, which the locks spread over at least 127 h 45 min
 * (15 min × (2^9 − 1)): 100 × 3/10^6 = 0.03 % per run, however long the guesser keeps at it. Only a right answer
 * of the agent starts another run: even 33 whole runs a year stay below 1 % (0.99 %). A guesser who lets the agent
 * pass between runs gets at most 70 guesses in the 24 hours after each pass (7 locks; the 8th would wait
 * 31 h 45 min), and the agent meets a locked pair every day and is told of each lock by e-mail (TWO_FACTOR_LOCKED).
 */
export const CHALLENGE_MAX_FAILED_ATTEMPTS = 5;
/** Consecutive failures per (agent, tenant), across challenges, that lock answers and new challenges. */
export const LOCKOUT_FAILURE_THRESHOLD = 10;
/** The first lock of a run; each further one in a row lasts twice as long (lock-escalation.ts). */
export const LOCKOUT_DURATION_MS = 15 * 60_000;
/** Consecutive failures after which only a recovery code, a passkey or an admin reset opens the pair (NIST: at most 100). */
export const LOCKOUT_MAX_CONSECUTIVE_FAILURES = 100;
export const CHALLENGE_LIFETIME_MS = 5 * 60_000;
export const PENDING_ENROLMENT_LIFETIME_MS = 10 * 60_000;
/**
 * Re-authentication (the password a sensitive mutation re-checks): wrong passwords per agent, across tenants
 * and processes, within the window, and how long re-authentication is then refused. NIST SP 800-63B §5.2.2.
 */
export const REAUTH_MAX_FAILURES = 5;
export const REAUTH_WINDOW_MS = 15 * 60_000;
export const REAUTH_LOCK_MS = 15 * 60_000;
/** Wrong codes for one pending enrolment before its secret is discarded (as a challenge's attempts). */
export const ENROLMENT_MAX_FAILED_CONFIRMATIONS = 5;
/** A tenant's second-factor lifetime: from 1 second to 90 days (SESSION_TTL_HOURS' own bound: no session outlives it). */
export const SECOND_FACTOR_LIFETIME_MAX_SECONDS = 90 * 86_400;
