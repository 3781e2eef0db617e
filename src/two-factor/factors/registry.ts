import type { TwoFactorMethodName } from '../authenticator-state';
import { recoveryCodeFactor } from './recovery-code/recovery-code.factor';
import type { SecondFactor } from './second-factor';
import { totpFactor } from './totp/totp.factor';
import { passkeyFactor } from './passkey/passkey.factor';

/**
 * Every second factor, in the order clients see them in `methods`. A new factor is a folder and a line here.
 * Removal runs in the reverse order: a later factor may back up an earlier one (recovery codes back up TOTP).
 */
export const SECOND_FACTORS: readonly SecondFactor[] = [totpFactor, passkeyFactor, recoveryCodeFactor];

/** The factor that answers as `method`. */
export function secondFactor(method: TwoFactorMethodName): SecondFactor {
  const factor = SECOND_FACTORS.find((candidate) => candidate.method === method);
  if (!factor) throw new Error(`no second factor answers as ${method}`);
  return factor;
}
