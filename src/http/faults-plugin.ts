import type { ApolloServerPlugin } from '@apollo/server';
import { unwrapResolverError } from '@apollo/server/errors';
import type { GatewayContext } from '../context';
import { isExpectedError, SERVICE_UNAVAILABLE, unavailableCause } from '../errors/format-error';
import type { Logger } from '../logger';

/**
 * Logs what no client caused (with the request id, never the request's variables) and answers it 500 with the
 * request id; answers 503 while the database is not answering, so load balancers and clients know to retry, and
 * warns with the driver's reason, so the operator sees which (a dropped connection, a connect time-out, …).
 */
export function faultsPlugin(logger: Logger): ApolloServerPlugin<GatewayContext> {
  return {
    async requestDidStart() {
      return {
        async didEncounterErrors({ errors, contextValue }) {
          for (const error of errors) {
            if (warnedUnavailable(logger, contextValue.requestId, error)) continue;
            if (!isExpectedError(error)) logger.error({ reqId: contextValue.requestId, err: unwrapResolverError(error) }, 'unexpected error');
          }
        },
        async willSendResponse({ response, contextValue }) {
          if (response.body.kind !== 'single') return;
          const result = response.body.singleResult;
          if (result.errors?.some((e) => e.extensions?.code === SERVICE_UNAVAILABLE)) {
            response.http.status = 503;
          } else if (result.errors?.some((e) => e.extensions?.code === 'INTERNAL_SERVER_ERROR')) {
            // A fault, not the client's: a 500 with the request id, which finds its log line.
            response.http.status = 500;
            const requestId = contextValue?.requestId;
            result.errors = result.errors.map((e) => (e.extensions?.code === 'INTERNAL_SERVER_ERROR' ? { ...e, extensions: { ...e.extensions, requestId } } : e));
          }
        },
      };
    },
  };
}

/** The warning that goes with a 503 (see above), also for the session lookup before Apollo runs; whether it was one. */
export function warnedUnavailable(logger: Logger, requestId: string, error: unknown): boolean {
  const cause = unavailableCause(error);
  if (cause) logger.warn({ reqId: requestId, cause }, 'database not answering');
  return Boolean(cause);
}
