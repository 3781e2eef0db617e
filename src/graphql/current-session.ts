import { createParameterDecorator } from 'type-graphql';
import { GatewayContext, requireSession } from '../context';
import type { SessionIdentity } from '../accounts/session-identity';

/**
 * The signed-in session of the request; UNAUTHENTICATED without one.
 *
 * It rejects, never throws: type-graphql computes a resolver's parameters in one synchronous pass and only then
 * awaits them together (`getParams`: `params.map(...)`, then `Promise.all`). A parameter decorator that throws
 * in that pass abandons the argument validations already started before it; the rejection of a bad argument then
 * goes unobserved and Node ends the process. A rejected promise joins the `Promise.all`, which observes every one.
 */
export function CurrentSession() {
  return createParameterDecorator<GatewayContext>(async ({ context }): Promise<SessionIdentity> => requireSession(context));
}
