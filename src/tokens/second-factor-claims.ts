import type { StandingSourceName } from '../db/entities/tenant-standing.entity';
import type { TwoFactorMethodName } from '../two-factor/authenticator-state';

/**
 * The session's standing in the tenant, as the token reports it: where it came from, the factor behind it (an
 * enrolment standing resolved to the factor enrolled; null for the identity provider's own) and when that factor
 * was answered.
 */
export interface TokenStanding {
  source: StandingSourceName;
  factor: TwoFactorMethodName | null;
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
 * | standing (source: factor)                  | amr           | acr  | second_factor_at                         |
 * |---------------------------------------------|---------------|------|------------------------------------------|
 * | none                                        | pwd           | aal1 | –                                        |
 * | CHALLENGE, DEVICE_APPROVAL: TOTP, RECOVERY_CODE | pwd, otp, mfa | aal2 | the pass                              |
 * | CHALLENGE, DEVICE_APPROVAL: PASSKEY         | pwd, hwk, mfa | aal2 | the pass                                 |
 * | REMEMBERED_DEVICE                           | pwd, mfa      | aal2 | the pass the device was remembered with  |
 * | IDENTITY_PROVIDER                           | pwd, mfa      | aal2 | when the provider's sign-in was accepted |
 *
 * A remembered device keeps the session at aal2 but answered no factor now: its amr names none (`mfa` says a
 * second factor stands), and `second_factor_at` is the pass it was remembered with, days old perhaps. A device
 * approval hands on the approving session's pass, made in the browser minutes before. So a service that wants a
 * factor answered recently checks `second_factor_at`, and one that wants it answered in this very sign-in
 * checks `amr` for `otp` or `hwk` too.
 *
 * `pwd` always: every session began with a first factor, the password (or, for a single sign-on, the tenant's
 * identity provider, whose own `amr` the SSO_SIGN_IN audit event records). RFC 8176's `user` (user verification) is not claimed:
 * the standing does not record whether the authenticator verified the user (a passkey is a second factor here,
 * verification preferred, not required).
 */
export function secondFactorClaims(standing: TokenStanding | null): SecondFactorClaims {
  if (!standing) return { amr: ['pwd'], acr: 'aal1' };
  const answeredFactor = standing.source !== 'REMEMBERED_DEVICE' && standing.factor ? [AMR_OF_FACTOR[standing.factor]] : [];
  return {
    amr: ['pwd', ...answeredFactor, 'mfa'],
    acr: 'aal2',
    second_factor_at: Math.floor(standing.passedAt.getTime() / 1000),
  };
}
