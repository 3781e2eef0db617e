import type { SecretBox } from '../../crypto/secret-box';
import type { Tx } from '../../db/database';
import type { TwoFactorMethodName } from '../authenticator-state';
import type { PasskeyAssertionService } from './passkey/passkey-assertion.service';
import { passkeyFactor, passkeyProfile } from './passkey/passkey.factor';
import { recoveryCodeFactor, recoveryCodeProfile } from './recovery-code/recovery-code.factor';
import type { RecoveryCodeStore } from './recovery-code/recovery-code-store';
import type { FactorProfile, SecondFactor } from './second-factor';
import { totpFactor, totpProfile } from './totp/totp.factor';

/**
 * Every second factor, in the order clients see them in `methods`: what the status reads, without building any
 * factor. A new factor is a folder, a line here and a line in `createSecondFactors`.
 */
export const FACTOR_PROFILES: readonly FactorProfile[] = [totpProfile, passkeyProfile, recoveryCodeProfile];

/**
 * Builds each factor with the dependencies it needs, and no other (called once, by the composition root).
 */
export function createSecondFactors(services: { secretBox: SecretBox; recoveryCodes: RecoveryCodeStore; passkeyAssertions: PasskeyAssertionService }): SecondFactors {
  const built: Record<TwoFactorMethodName, SecondFactor> = {
    TOTP: totpFactor(services.secretBox),
    PASSKEY: passkeyFactor(services.passkeyAssertions),
    RECOVERY_CODE: recoveryCodeFactor(services.recoveryCodes),
  };
  return new SecondFactors(FACTOR_PROFILES.map((profile) => built[profile.method]));
}

/** The built factors, in registry order. */
export class SecondFactors {
  constructor(private readonly factors: readonly SecondFactor[]) {}

  /** The factor that answers as `method`. */
  answeringAs(method: TwoFactorMethodName): SecondFactor {
    const factor = this.factors.find((candidate) => candidate.method === method);
    if (!factor) throw new Error(`no second factor answers as ${method}`);
    return factor;
  }

  /**
   * Every factor's rows of one pair, in the caller's transaction. The reverse of registry order: a later factor
   * may back up an earlier one (recovery codes back up TOTP), and TOTP's removal takes the pair's row.
   */
  async removeAll(tx: Tx, tenantId: string, agentId: string): Promise<void> {
    for (const factor of [...this.factors].reverse()) await factor.remove(tx, tenantId, agentId);
  }
}
