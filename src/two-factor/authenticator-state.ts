import type { AuthenticatorStateName } from '../db/entities/authenticator.entity';

export const TWO_FACTOR_STATES = ['NOT_CONFIGURED', 'PENDING_CONFIRMATION', 'ENABLED'] as const;
export type TwoFactorStateName = (typeof TWO_FACTOR_STATES)[number];
/** Every second factor's method name (factors/registry.ts lists the factors that answer today). */
export const TWO_FACTOR_METHODS = ['TOTP', 'RECOVERY_CODE', 'PASSKEY'] as const;
export type TwoFactorMethodName = (typeof TWO_FACTOR_METHODS)[number];

/**
 * The authenticator's state machine, as clients see it:
 *
 *   NOT_CONFIGURED --beginTotpEnrolment--> PENDING_CONFIRMATION --confirmTotpEnrolment--> ENABLED
 *   PENDING_CONFIRMATION --(10 min pass)--> NOT_CONFIGURED   (the row stays until replaced)
 *   PENDING_CONFIRMATION --beginTotpEnrolment--> PENDING_CONFIRMATION (fresh secret)
 *   NOT_CONFIGURED / PENDING_CONFIRMATION --finishPasskeyRegistration--> ENABLED (a passkey is the first factor)
 *   ENABLED --disableTwoFactor / resetAgentTwoFactor--> NOT_CONFIGURED (row, passkeys and codes deleted)
 *
 * The pair's factors (TOTP, passkeys) come and go while it stays ENABLED; the last one cannot go (LAST_FACTOR).
 */
export interface AuthenticatorSnapshot {
  state: AuthenticatorStateName;
  pendingExpiresAt: Date | null;
  confirmedAt: Date | null;
}

export function twoFactorState(authenticator: AuthenticatorSnapshot | null | undefined, now: Date): TwoFactorStateName {
  if (!authenticator) return 'NOT_CONFIGURED';
  if (authenticator.state === 'ENABLED') return 'ENABLED';
  const isLive = authenticator.pendingExpiresAt !== null && authenticator.pendingExpiresAt > now;
  return isLive ? 'PENDING_CONFIRMATION' : 'NOT_CONFIGURED';
}

/** The factors of an ENABLED pair, as the status (and each factor's `isUsable`) sees them. */
export interface PairFactors {
  totpEnabled: boolean;
  passkeyCount: number;
  recoveryCodesRemaining: number;
}

/** An authenticator as the status needs it, with its factors counted. */
export interface StatusSnapshot extends AuthenticatorSnapshot, PairFactors {}
