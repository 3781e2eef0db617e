import type { TwoFactorMethodName } from '../two-factor/authenticator-state';

/**
 * The session's standing in the tenant, as the token reports it: the factor that gave it (an enrolment standing
 * resolved to the factor enrolled) and when.
 */
export interface TokenStanding {
  factor: TwoFactorMethodName;
  passedAt: Date;
}

export interface SecondFactorClaims {
  /** RFC 8176 Authentication Method Reference values. */
  amr: string[];
  /** `aal2` (NIST SP 800-63B authenticator assurance level 2) while the session holds the tenant's second factor. */
  acr: 'aal1' | 'aal2';
  /** Epoch seconds of the pass; absent without one. */
  second_factor_at?: number;
}

/** RFC 8176 §2: `otp` for one-time codes (TOTP; recovery codes are one-time codes too), `hwk` for a key held in an authenticator (passkeys). */
const AMR_OF_FACTOR: Record<TwoFactorMethodName, string> = { TOTP: 'otp', RECOVERY_CODE: 'otp', PASSKEY: 'hwk' };

/**
 * The one place that turns a session's standing into the token's claims about the second factor.
 *
 * | standing         | amr                    | acr  | second_factor_at |
 * |------------------|------------------------|------|------------------|
 * | none             | pwd                    | aal1 | –                |
 * | TOTP             | pwd, otp, mfa          | aal2 | the pass         |
 * | RECOVERY_CODE    | pwd, otp, mfa          | aal2 | the pass         |
 * | PASSKEY          | pwd, hwk, mfa          | aal2 | the pass         |
 *
 * `pwd` always: every session began with the password. RFC 8176's `user` (user verification) is not claimed:
 * the standing does not record whether the authenticator verified the user (a passkey is a second factor here,
 * verification preferred, not required).
 */
export function secondFactorClaims(standing: TokenStanding | null): SecondFactorClaims {
  if (!standing) return { amr: ['pwd'], acr: 'aal1' };
  return {
    amr: ['pwd', AMR_OF_FACTOR[standing.factor], 'mfa'],
    acr: 'aal2',
    second_factor_at: Math.floor(standing.passedAt.getTime() / 1000),
  };
}
