import { unwrapResolverError } from '@apollo/server/errors';
import type { GraphQLFormattedError } from 'graphql';
import { isDatabaseUnavailable } from '../db/database';
import { DomainError } from './domain-error';

/** Not a contract code: the database is not answering; the server answers 503 and the client may retry. */
export const SERVICE_UNAVAILABLE = 'SERVICE_UNAVAILABLE';

/** Whether an error is one a client caused or may act on, rather than a fault to log. */
export function isExpectedError(error: unknown): boolean {
  const original = unwrapResolverError(error);
  const code = (original as { extensions?: { code?: unknown } })?.extensions?.code;
  return original instanceof DomainError || isDatabaseUnavailable(original) || (typeof code === 'string' && code !== 'INTERNAL_SERVER_ERROR');
}

/**
 * The one place errors become GraphQL errors: DomainError → its code and details, an unreachable database →
 * SERVICE_UNAVAILABLE, GraphQL/validation errors as Apollo made them, anything else → INTERNAL_SERVER_ERROR
 * with a generic message (the server logs the original, never sends it).
 */
export function formatError(formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError {
  const original = unwrapResolverError(error);
  if (isDatabaseUnavailable(original)) {
    return { message: 'The database is not answering. Try again shortly.', path: formatted.path, extensions: { code: SERVICE_UNAVAILABLE } };
  }
  if (original instanceof DomainError) {
    return {
      message: original.message,
      path: formatted.path,
      locations: formatted.locations,
      extensions: { code: original.code, ...original.details },
    };
  }
  const code = formatted.extensions?.code;
  if (typeof code === 'string' && code !== 'INTERNAL_SERVER_ERROR') {
    // Apollo's and type-graphql's own client errors (BAD_USER_INPUT, GRAPHQL_VALIDATION_FAILED, …), minus internals.
    const { stacktrace: _stack, ...extensions } = formatted.extensions ?? {};
    return { ...formatted, extensions };
  }
  return {
    message: 'Internal server error',
    path: formatted.path,
    locations: formatted.locations,
    extensions: { code: 'INTERNAL_SERVER_ERROR' },
  };
}
