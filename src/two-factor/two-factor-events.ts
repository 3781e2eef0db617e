import type { Tx } from '../db/database';

/** What the two-factor services report as it happens, for metrics. Never carries a code, secret or id. */
export type TwoFactorEvent =
  | 'enrolment-confirmed'
  | 'challenge-issued'
  | 'challenge-passed'
  | 'challenge-failed'
  | 'challenge-invalidated'
  | 'recovery-code-used'
  | 'answer-rate-limited';

export type TwoFactorEventSink = (event: TwoFactorEvent) => void;

export const ignoreEvents: TwoFactorEventSink = () => undefined;

/** A pair (agent, tenant) its failures have just locked: what the agent is to be told. */
export interface PairLocked {
  tenantId: string;
  agentId: string;
  lockedUntil: Date;
  /** Locks in a row, this one included (each lasts longer; the 10th closes TOTP). */
  consecutiveLocks: number;
  /** TOTP codes are refused from now on, until a recovery code, a passkey or an admin reset. */
  closesTotp: boolean;
}

/**
 * Called for every lock a failure sets (challenge answers and enrolment confirmations alike), inside the
 * transaction that sets it: what the hook writes (a notice to send, say) commits with the lock or not at all.
 */
export type PairLockedHook = (tx: Tx, locked: PairLocked) => Promise<void>;

export const ignorePairLocks: PairLockedHook = async () => undefined;
