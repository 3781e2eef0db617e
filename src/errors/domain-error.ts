import { ErrorCode, ErrorCodes } from './error-codes';

/** Extra facts a client may act on, sent in `extensions` beside the code. */
export interface ErrorDetails {
  attemptsRemaining?: number;
  retryAfterSeconds?: number;
  workspaceIds?: string[];
  /** The argument at fault, for BAD_USER_INPUT. */
  field?: string;
  /** Why, where a client can help the person (PASSKEY_REJECTED: ALREADY_REGISTERED). */
  reason?: string;
  /** SSO_REQUIRED: where the browser starts the identity provider's sign-in. */
  signInUrl?: string;
  /** TWO_FACTOR_REQUIRED for a privileged action: how recent the pass must be. */
  maxAgeSeconds?: number;
  /** TWO_FACTOR_REQUIRED for a privileged action that names no tenant (changePassword): a pass in any one of these would do. */
  tenantIds?: string[];
  /** AUTHORIZATION_PENDING and SLOW_DOWN of a device sign-in: seconds to wait between polls. */
  interval?: number;
}

let savedStackTraceLimit = Error.stackTraceLimit;

/** Error's constructor captures no frames while the limit is 0: set for the one `super` call, then put back. */
function withoutStackTrace(message: string): string {
  savedStackTraceLimit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  return message;
}

/**
 * A user-facing failure from the domain; the GraphQL layer turns it into `{ message, extensions: { code } }`.
 * An expected answer (a wrong code, a missing row), never logged as a fault: it captures no stack trace, which
 * V8 would otherwise capture here and format again for the GraphQLError that carries it.
 */
export class DomainError extends Error {
  constructor(
    readonly code: ErrorCode,
    readonly details: ErrorDetails = {},
    /** Replaces the catalogue's message for one case (see SpecificMessages); the code stays. */
    message?: string,
  ) {
    super(withoutStackTrace(message ?? ErrorCodes[code]));
    Error.stackTraceLimit = savedStackTraceLimit;
    this.name = 'DomainError';
  }
}

/** One-line guard: `assertThat(membership, 'NOT_FOUND')`. */
export function assertThat(condition: unknown, code: ErrorCode, details?: ErrorDetails, message?: string): asserts condition {
  if (!condition) throw new DomainError(code, details, message);
}
