/**
 * What `tenant-2fa` exits with. Scripts branch on these, so each number keeps its meaning:
 * 0 success · 1 anything else · 2 usage · 3 not signed in or session expired · 4 a second factor needed or
 * refused · 5 the gateway is unreachable.
 */
export const ExitCode = {
  OK: 0,
  FAILURE: 1,
  USAGE: 2,
  NOT_SIGNED_IN: 3,
  SECOND_FACTOR: 4,
  UNREACHABLE: 5,
} as const;

export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** Contract error codes that mean "a second factor is needed, or the one given was refused". */
const SECOND_FACTOR_CODES = new Set([
  'TWO_FACTOR_REQUIRED',
  'TWO_FACTOR_ENROLMENT_REQUIRED',
  'TWO_FACTOR_SETUP_REQUIRED',
  'TWO_FACTOR_CHALLENGE_REQUIRED',
  'INVALID_TWO_FACTOR_CODE',
  'CHALLENGE_INVALIDATED',
  'PASSKEY_REJECTED',
]);

/** The exit code for an error code the gateway answered with. */
export function exitCodeForErrorCode(code: string | undefined): ExitCode {
  if (code === 'UNAUTHENTICATED' || code === 'INVALID_CREDENTIALS') return ExitCode.NOT_SIGNED_IN;
  if (code && SECOND_FACTOR_CODES.has(code)) return ExitCode.SECOND_FACTOR;
  if (code === 'BAD_USER_INPUT' || code === 'GRAPHQL_VALIDATION_FAILED') return ExitCode.USAGE;
  if (code === 'SERVICE_UNAVAILABLE') return ExitCode.UNREACHABLE;
  return ExitCode.FAILURE;
}

/**
 * A failure the user can act on: a message, what to do next, and the exit code. `code` is the contract's error
 * code when the gateway gave one; it is printed so scripts and people can look it up.
 */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: ExitCode,
    readonly options: { code?: string; hint?: string; requestId?: string } = {},
  ) {
    super(message);
    this.name = 'CliError';
  }

  get code(): string | undefined {
    return this.options.code;
  }

  get hint(): string | undefined {
    return this.options.hint;
  }

  get requestId(): string | undefined {
    return this.options.requestId;
  }
}

export function usageError(message: string, hint?: string): CliError {
  return new CliError(message, ExitCode.USAGE, { hint });
}
