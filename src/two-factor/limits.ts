/**
 * Attempt limits and lifetimes. NIST SP 800-63B §5.2.2 (rate limiting) caps consecutive failed attempts on one
 * account at no more than 100; we stay far below that because a 6-digit code has only 10^6 values.
 */
export const CHALLENGE_MAX_FAILED_ATTEMPTS = 5;
/** Consecutive failures per (agent, tenant), across challenges, that lock answers and new challenges. */
export const LOCKOUT_FAILURE_THRESHOLD = 10;
export const LOCKOUT_DURATION_MS = 15 * 60_000;
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
