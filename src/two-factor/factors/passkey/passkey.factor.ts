import { PasskeyEntity } from '../../../db/entities';
import { SpecificMessages } from '../../../errors/error-codes';
import { committedLock, lockedError, resetTwoFactorFailures } from '../../lockout';
import type { FactorProfile, SecondFactor } from '../second-factor';
import type { PasskeyAssertionService } from './passkey-assertion.service';

/**
 * Passkeys (WebAuthn credentials) of the pair. The answer is the assertion's PublicKeyCredential JSON, as text.
 * Registration and management live in passkey-enrolment.service.ts, the assertion in
 * passkey-assertion.service.ts, the WebAuthn checks in webauthn.ts.
 */
export const passkeyProfile: FactorProfile = {
  method: 'PASSKEY',
  isUsable: (snapshot) => snapshot.passkeyCount > 0,
  isWellFormed: (answer) => parseAssertion(answer) !== null,
  shapeMessage: SpecificMessages.PASSKEY_ANSWER_SHAPE,
  rejection: { code: 'PASSKEY_REJECTED', field: 'credential' },
};

/** The passkey factor, judging assertions with `assertions`. */
export function passkeyFactor(assertions: PasskeyAssertionService): SecondFactor {
  return {
    ...passkeyProfile,

    /**
     * Spends the ceremony, verifies the assertion against the pair's own passkeys and moves the counter on, each
     * by a conditional UPDATE (passkey-assertion.service.ts); then, as for a code, restarts the pair's failure
     * count only while it is not locked, or rolls everything back as RATE_LIMITED.
     */
    async claim(tx, { challenge, answer, now, session }) {
      const claim = await assertions.claimAssertion(tx, session, challenge, parseAssertion(answer)!, now);
      if (claim !== 'accepted') return false;
      if (await resetTwoFactorFailures(tx, challenge.authenticatorId!, now)) return true;
      throw lockedError(now, (await committedLock(tx, challenge.authenticatorId!)).lockedUntil);
    },

    async remove(tx, tenantId, agentId) {
      await tx.delete(PasskeyEntity, { tenantId, agentId });
    },
  };
}

/** The assertion JSON, if it is an object with an id and a response; null otherwise (bad input, nothing spent). */
export function parseAssertion(answer: string): Record<string, unknown> | null {
  try {
    const value = JSON.parse(answer) as unknown;
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return null;
    const credential = value as Record<string, unknown>;
    return typeof credential.id === 'string' && typeof credential.response === 'object' && credential.response !== null ? credential : null;
  } catch {
    return null;
  }
}
