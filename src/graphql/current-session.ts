import { createParameterDecorator } from 'type-graphql';
import { GatewayContext, requireSession } from '../context';
import type { SessionIdentity } from '../accounts/account.service';

/**
 * The signed-in session of the request; UNAUTHENTICATED without one. Async on purpose: type-graphql starts
 * validating the arguments before it resolves this parameter, and a synchronous throw here would leave that
 * validation's rejection unhandled, which ends the Node process (one anonymous request with a bad argument).
 * As a rejected promise it joins the arguments' Promise.all, which handles both.
 */
export function CurrentSession() {
  return createParameterDecorator<GatewayContext>(async ({ context }): Promise<SessionIdentity> => requireSession(context));
}
