/**
 * # Second factors
 *
 * A second factor is one way of answering a tenant's challenge (TOTP, a passkey, a recovery code). Each lives in
 * its own folder under `factors/`: a `FactorProfile` (what is known of it without building it) and a function
 * that builds its `SecondFactor` from the dependencies it needs, both listed once in `registry.ts`, which the
 * composition root (services.ts) calls. Everything else (the challenge's state machine, its attempt cap, the
 * pair's lock-out, the standing a pass grants, the audit events common to every answer) is shared and lives
 * outside the factors. This interface names no factor.
 *
 * What a factor contributes:
 * - **status**: `isUsable` says, from the pair's status snapshot, whether it is offered in
 *   `TwoFactorStatus.methods` and `TwoFactorChallenge.methods` (in registry order) once the pair is ENABLED;
 * - **answering**: `isWellFormed` rejects an answer that cannot be right by its shape (BAD_USER_INPUT, nothing
 *   spent); `claim` judges and claims a well-formed answer inside the answer transaction;
 * - **removal**: `remove` deletes the factor's rows of one pair (disable, admin reset), in the caller's
 *   transaction.
 * The status part (`isUsable`, with the answer's shape) is the profile, read without building anything; the
 * answering and removal need the factor's own dependencies (a secret box, the code store, the passkey
 * assertions), given when it is built.
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
 *   A factor the pair's locks in a row can close (TOTP, `TOTP_OPEN`) refuses there too, before judging.
 *
 * Adding a factor: a folder with its `*.factor.ts` (profile and builder), its lines in `registry.ts`, its method in
 * `TWO_FACTOR_METHODS` (authenticator-state.ts), and whatever enrolment it needs (TOTP's is
 * `totp/totp-enrolment.service.ts`). See docs/architecture.md, "How to add a second factor".
 */
import type { SessionIdentity } from '../../accounts/session-identity';
import type { AuditAction } from '../../audit/audit-log';
import type { Tx } from '../../db/database';
import type { AuthenticatorStateName } from '../../db/entities/authenticator.entity';
import type { ChallengeStateName } from '../../db/entities/challenge.entity';
import type { ErrorCode } from '../../errors/error-codes';
import type { StatusSnapshot, TwoFactorMethodName } from '../authenticator-state';
import type { TwoFactorEvent } from '../two-factor-events';

/** What is known of a factor without building it: its name, when it is offered, the shape of its answers. */
export interface FactorProfile {
  /** The method clients name: in `methods`, in audit events, in the standing a pass grants. */
  readonly method: TwoFactorMethodName;

  /** Offered for an ENABLED pair, judged from the status snapshot (read in one statement per tenant). */
  isUsable(snapshot: StatusSnapshot): boolean;

  /** The answer has the shape of this factor's answers; if not it is bad input, not an attempt. */
  isWellFormed(answer: string): boolean;
  /** What BAD_USER_INPUT says when `isWellFormed` refuses: the shape a right answer has. */
  readonly shapeMessage: string;

  /** What a pass with this factor records besides CHALLENGE_PASSED, in the same transaction and after it. */
  readonly onPass?: { audit: AuditAction; event: TwoFactorEvent };

  /** How a wrong answer is refused, where not as INVALID_TWO_FACTOR_CODE about the argument `code`. */
  readonly rejection?: { code: ErrorCode; field: string };
}

/** A factor built with its own dependencies (registry.ts): it judges answers and removes its rows. */
export interface SecondFactor extends FactorProfile {
  /** Judges and claims a well-formed answer inside the answer transaction (see the contract above). */
  claim(tx: Tx, claim: FactorClaim): Promise<boolean>;

  /**
   * Optional, for a factor whose claim is one conditional UPDATE: judges the answer here (in the gateway) and
   * answers that UPDATE (one row changed = claimed, under the same conditions as `claim`, the lock included), or
   * null for a wrong answer; throws as `claim` does where the factor is closed. The answer service sends it with
   * the rest of a pass as one statement batch where the database runs one (MariaDB). Writes nothing itself.
   */
  claimStatement?(claim: Omit<FactorClaim, 'session'>): { sql: string; params: unknown[] } | null;

  /** Deletes this factor's rows of one pair, in the caller's transaction. */
  remove(tx: Tx, tenantId: string, agentId: string): Promise<void>;
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

/** A challenge joined with its pair's authenticator: everything an answer is judged on, read in one statement (challenge-store.ts). */
export interface AnsweredChallenge {
  id: string;
  sessionId: string;
  tenantId: string;
  agentId: string;
  workspaceId: string | null;
  state: ChallengeStateName;
  failedAttempts: number;
  expiresAt: Date;
  authenticatorId: string | null;
  authenticatorState: AuthenticatorStateName | null;
  secretCiphertext: string;
  /** TOTP is a confirmed factor of the pair (not only a pending secret). */
  totpEnabled: boolean;
  lastUsedStep: number | null;
  lockedUntil: Date | null;
  /** The pair's consecutive failures and locks in a row as read (recordTwoFactorFailure counts from them while they hold). */
  consecutiveFailures: number;
  consecutiveLocks: number;
}
