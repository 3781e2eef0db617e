import { matchTotp, normalizeTotpCode } from '../../../crypto/totp';
import type { SecretBox } from '../../../crypto/secret-box';
import { sqlExecute } from '../../../db/database';
import { AuthenticatorEntity } from '../../../db/entities';
import { SpecificMessages } from '../../../errors/error-codes';
import { assertStillNotLocked, assertTotpOpen, NOT_LOCKED, TOTP_OPEN } from '../../lockout';
import type { FactorProfile, SecondFactor } from '../second-factor';
import { openTotpSecret } from './totp-secret';

/**
 * TOTP (RFC 6238) from an authenticator app: the pair's authenticator row holds the sealed secret and the last
 * time step used. The row itself (with its lock-out columns) is the pair's enrolment, so removing TOTP removes it.
 */
export const totpProfile: FactorProfile = {
  method: 'TOTP',
  isUsable: (snapshot) => snapshot.totpEnabled, // a pair may be ENABLED by passkeys alone
  isWellFormed: (answer) => normalizeTotpCode(answer) !== null,
  shapeMessage: SpecificMessages.TOTP_CODE_SHAPE,
};

/** The TOTP factor, opening secrets with `secretBox`. */
export function totpFactor(secretBox: SecretBox): SecondFactor {
  /**
   * Replay protection: the step is claimed only if it is later than every step accepted before, in any process.
   * The same statement starts the pair's failure count and locks in a row again, and refuses while the pair is
   * locked or its locks have closed TOTP (then a code is not even judged).
   */
  const claimStatement: NonNullable<SecondFactor['claimStatement']> = ({ challenge, answer, now }) => {
    assertTotpOpen(challenge.consecutiveLocks);
    if (!challenge.totpEnabled) return null; // no TOTP (a pending secret answers nothing): a wrong answer
    const secret = openTotpSecret(secretBox, challenge);
    const step = matchTotp(secret, answer, now.getTime(), challenge.lastUsedStep);
    if (step === null) return null;
    return {
      sql: `UPDATE authenticators SET last_used_step = ?, consecutive_failures = 0, consecutive_locks = 0
          WHERE id = ? AND (last_used_step IS NULL OR last_used_step < ?) AND ${NOT_LOCKED} AND ${TOTP_OPEN}`,
      params: [step, challenge.authenticatorId, step, now],
    };
  };
  return {
    ...totpProfile,
    claimStatement,

    async claim(tx, answered) {
      const statement = claimStatement(answered);
      if (!statement) return false;
      const { challenge, now } = answered;
      const claimed = await sqlExecute(tx, statement.sql, statement.params);
      if (claimed === 1) return true;
      await assertStillNotLocked(tx, challenge.authenticatorId!, now, 'TOTP');
      return false; // a replayed step
    },

    /** The pair's row goes last (registry order reversed), with TOTP and the pair's lock-out columns. */
    async remove(tx, tenantId, agentId) {
      await tx.delete(AuthenticatorEntity, { tenantId, agentId });
    },
  };
}
