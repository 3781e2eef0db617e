import { createParameterDecorator } from 'type-graphql';
import { GatewayContext, requireSession } from '../context';
import type { SessionIdentity } from '../accounts/session-identity';

/** The signed-in session of the request; UNAUTHENTICATED without one. */
export function CurrentSession() {
  return createParameterDecorator<GatewayContext>(({ context }): SessionIdentity => requireSession(context));
}
