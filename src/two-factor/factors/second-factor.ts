/**
 * # Second factors
 *
 * A second factor is one way of answering a tenant's challenge (TOTP, a recovery code, later a passkey). Each
 * lives in its own folder under `factors/` and is one object implementing `SecondFactor`, listed once in
 * `registry.ts`. Everything else (the challenge's state machine, its attempt cap, the pair's lock-out, the
 * standing a pass grants, the audit events common to every answer) is shared and lives outside the factors.
 *
 * What a factor contributes:
 * - **status**: `isUsable` says, from the pair's status snapshot, whether it is offered in
 *   `TwoFactorStatus.methods` and `TwoFactorChallenge.methods` (in registry order) once the pair is ENABLED;
 * - **answering**: `isWellFormed` rejects an answer that cannot be right by its shape (BAD_USER_INPUT, nothing
 *   spent); `claim` judges and claims a well-formed answer inside the answer transaction;
 * - **removal**: `remove` deletes the factor's rows of one pair (disable, admin reset), in the caller's
 *   transaction.
 *
 * The claim's contract (the answer transaction relies on it, whatever the factor):
 * - Right answer: claim it with a conditional UPDATE that one racing request only can win (a TOTP step later
 *   than every step used before; a recovery code still unused), restart the pair's failure count in a
 *   statement that also requires the pair not locked (`NOT_LOCKED` / `resetTwoFactorFailures` in
 *   `../lockout.ts`), and answer true. The caller then moves the challenge OPEN → PASSED; if that fails, the
 *   whole transaction, the claim included, rolls back.
 * - Wrong or replayed answer: change nothing and answer false; the caller spends an attempt and counts the
 *   failure toward the lock.
 * - Locked meanwhile (the lock-guarded statement matched nothing because a racing answer locked the pair):
 *   throw the lock's RATE_LIMITED (`lockedError` / `assertStillNotLocked`), so the claim rolls back unspent.
 *
 * Adding a factor: a folder with its `*.factor.ts`, a line in `registry.ts`, its method in
 * `TWO_FACTOR_METHODS` (authenticator-state.ts), and whatever enrolment it needs (TOTP's is
 * `totp/totp-enrolment.service.ts`). See docs/architecture.md, "How to add a second factor".
 */
import type { SessionIdentity } from '../../accounts/session-identity';
import type { AuditAction } from '../../audit/audit-log';
import type { SecretBox } from '../../crypto/secret-box';
import type { Tx } from '../../db/database';
import type { TwoFactorMethodName } from '../authenticator-state';
import type { AnsweredChallenge } from '../challenge-store';
import type { StatusSnapshot } from '../two-factor-status';
import type { TwoFactorEvent } from '../two-factor-events';
import type { RecoveryCodeStore } from './recovery-code/recovery-code-store';
import type { PasskeyService } from './passkey/passkey.service';
import type { ErrorCode } from '../../errors/error-codes';

export interface SecondFactor {
  /** The method clients name: in `methods`, in audit events, in the standing a pass grants. */
  readonly method: TwoFactorMethodName;

  /** Offered for an ENABLED pair, judged from the status snapshot (read in one statement per tenant). */
  isUsable(snapshot: StatusSnapshot): boolean;

  /** The answer has the shape of this factor's answers; if not it is bad input, not an attempt. */
  isWellFormed(answer: string): boolean;
  /** What BAD_USER_INPUT says when `isWellFormed` refuses: the shape a right answer has. */
  readonly shapeMessage: string;

  /** Judges and claims a well-formed answer inside the answer transaction (see the contract above). */
  claim(tx: Tx, claim: FactorClaim, deps: FactorDeps): Promise<boolean>;

  /** What a pass with this factor records besides CHALLENGE_PASSED, in the same transaction and after it. */
  readonly onPass?: { audit: AuditAction; event: TwoFactorEvent };

  /** How a wrong answer is refused, where not as INVALID_TWO_FACTOR_CODE about the argument `code`. */
  readonly rejection?: { code: ErrorCode; field: string };

  /** Deletes this factor's rows of one pair, in the caller's transaction. */
  remove(tx: Tx, tenantId: string, agentId: string, deps: FactorDeps): Promise<void>;
}

/**
 * One answer to judge: the challenge as read for it (with the pair's authenticator), the answer, the instant,
 * and the answering session (the caller of any audit event the claim writes).
 */
export interface FactorClaim {
  challenge: AnsweredChallenge;
  answer: string;
  now: Date;
  session: SessionIdentity;
}

/** The shared services factors work with, built once in the composition root (services.ts). */
export interface FactorDeps {
  secretBox: SecretBox;
  recoveryCodes: RecoveryCodeStore;
  passkeys: Pick<PasskeyService, 'claimAssertion'>;
}
