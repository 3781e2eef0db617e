import type { ApolloServerPlugin } from '@apollo/server';
import { unwrapResolverError } from '@apollo/server/errors';
import type { GatewayContext } from '../context';
import { isExpectedError, SERVICE_UNAVAILABLE } from '../errors/format-error';
import type { Logger } from '../logger';

/**
 * Logs what no client caused (with the request id, never the request's variables), and answers 503 while the
 * database is not answering, so load balancers and clients know to retry.
 */
export function faultsPlugin(logger: Logger): ApolloServerPlugin<GatewayContext> {
  return {
    async requestDidStart() {
      return {
        async didEncounterErrors({ errors, contextValue }) {
          for (const error of errors) {
            if (!isExpectedError(error)) logger.error({ reqId: contextValue.requestId, err: unwrapResolverError(error) }, 'unexpected error');
          }
        },
        async willSendResponse({ response }) {
          const errors = response.body.kind === 'single' ? response.body.singleResult.errors : undefined;
          if (errors?.some((e) => e.extensions?.code === SERVICE_UNAVAILABLE)) response.http.status = 503;
        },
      };
    },
  };
}
