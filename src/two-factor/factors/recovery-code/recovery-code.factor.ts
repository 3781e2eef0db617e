import { normalizeRecoveryCode } from '../../../crypto/recovery-codes';
import { SpecificMessages } from '../../../errors/error-codes';
import { committedLock, lockedError, resetTwoFactorFailures } from '../../lockout';
import type { FactorProfile, SecondFactor } from '../second-factor';
import type { RecoveryCodeStore } from './recovery-code-store';

/**
 * Single-use recovery codes, issued in sets when the pair's first factor is confirmed or the agent regenerates
 * them: the fallback when the authenticator app is lost. Stored one row per code (recovery-code-store.ts).
 */
export const recoveryCodeProfile: FactorProfile = {
  method: 'RECOVERY_CODE',
  isUsable: (snapshot) => snapshot.recoveryCodesRemaining > 0,
  isWellFormed: (answer) => normalizeRecoveryCode(answer) !== null,
  shapeMessage: SpecificMessages.RECOVERY_CODE_SHAPE,
  onPass: { audit: 'RECOVERY_CODE_USED', event: 'recovery-code-used' },
};

/** The recovery-code factor, spending codes of `codes`. */
export function recoveryCodeFactor(codes: RecoveryCodeStore): SecondFactor {
  return {
    ...recoveryCodeProfile,

    /** The code is spent, then the count restarts only while the pair is not locked; otherwise both roll back. */
    async claim(tx, { challenge, answer, now }) {
      if (!(await codes.consume(tx, challenge.tenantId, challenge.agentId, answer, now))) return false;
      if (await resetTwoFactorFailures(tx, challenge.authenticatorId!, now)) {
        await codes.replenish(tx, challenge.tenantId, challenge.agentId, now);
        return true;
      }
      throw lockedError(now, (await committedLock(tx, challenge.authenticatorId!)).lockedUntil); // locked meanwhile: the code stays unused
    },

    async remove(tx, tenantId, agentId) {
      await codes.deleteSet(tx, tenantId, agentId);
    },
  };
}
