import { unwrapResolverError } from '@apollo/server/errors';
import { GraphQLError, GraphQLFormattedError } from 'graphql';
import { isDatabaseUnavailable } from '../db/database';
import { DomainError } from './domain-error';

/** Not a contract code: the database is not answering; the server answers 503 and the client may retry. */
export const SERVICE_UNAVAILABLE = 'SERVICE_UNAVAILABLE';
const UNAVAILABLE_MESSAGE = 'The database is not answering. Try again shortly.';

/**
 * Apollo's own words for introspection refused tell the reader to pass `introspection: true` to ApolloServer;
 * here the switch is a setting. The refusal itself stays Apollo's (its validation rule, its codes).
 */
const INTROSPECTION_DISABLED_MESSAGE =
  'Introspection is off on this gateway (the production default): set GRAPHQL_INTROSPECTION=true to turn it on. ' +
  'The same schema is schema/schema.graphql in the gateway\'s repository.';

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
    return { message: UNAVAILABLE_MESSAGE, path: formatted.path, extensions: { code: SERVICE_UNAVAILABLE } };
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
    if (extensions.validationErrorCode === 'INTROSPECTION_DISABLED') return { ...formatted, message: INTROSPECTION_DISABLED_MESSAGE, extensions };
    return { ...formatted, extensions };
  }
  return {
    message: 'Internal server error',
    path: formatted.path,
    locations: formatted.locations,
    extensions: { code: 'INTERNAL_SERVER_ERROR' },
  };
}

/**
 * What the driver said when the database did not answer (`PROTOCOL_CONNECTION_LOST: Connection lost: …`), for
 * the warning that goes with a 503; undefined for any other error.
 */
export function unavailableCause(error: unknown): string | undefined {
  const original = unwrapResolverError(error);
  if (!isDatabaseUnavailable(original)) return undefined;
  const { code, message } = original as { code?: unknown; message?: unknown };
  return [code, message].filter(Boolean).join(': ');
}

/**
 * An error thrown before Apollo formats any (building the context: the session lookup): the same answer as
 * formatError gives, with its 503, when the database is away. (faults-plugin.ts sets the 503 for the rest.)
 */
export function unavailableOr(error: unknown): unknown {
  if (!isDatabaseUnavailable(error)) return error;
  return new GraphQLError(UNAVAILABLE_MESSAGE, {
    extensions: { code: SERVICE_UNAVAILABLE, http: { status: 503 } },
  });
}
