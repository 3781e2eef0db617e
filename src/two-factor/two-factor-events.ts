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
