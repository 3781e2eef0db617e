import { normalizeRecoveryCode } from '../../../crypto/recovery-codes';
import { committedLock, lockedError, resetTwoFactorFailures } from '../../lockout';
import type { SecondFactor } from '../second-factor';

/**
 * Single-use recovery codes, issued in sets when TOTP is confirmed or the agent regenerates them: the fallback
 * when the authenticator app is lost. Stored one row per code (recovery-code-store.ts).
 */
export const recoveryCodeFactor: SecondFactor = {
  method: 'RECOVERY_CODE',

  isUsable: (snapshot) => snapshot.recoveryCodesRemaining > 0,

  isWellFormed: (answer) => normalizeRecoveryCode(answer) !== null,

  /** The code is spent, then the count restarts only while the pair is not locked; otherwise both roll back. */
  async claim(tx, { challenge, answer, now }, { recoveryCodes }) {
    if (!(await recoveryCodes.consume(tx, challenge.tenantId, challenge.agentId, answer, now))) return false;
    if (await resetTwoFactorFailures(tx, challenge.authenticatorId!, now)) {
      await recoveryCodes.replenish(tx, challenge.tenantId, challenge.agentId, now);
      return true;
    }
    throw lockedError(now, await committedLock(tx, challenge.authenticatorId!)); // locked meanwhile: the code stays unused
  },

  onPass: { audit: 'RECOVERY_CODE_USED', event: 'recovery-code-used' },

  async remove(tx, tenantId, agentId, { recoveryCodes }) {
    await recoveryCodes.deleteSet(tx, tenantId, agentId);
  },
};
