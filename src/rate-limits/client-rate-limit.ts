import { MiddlewareFn, UseMiddleware } from 'type-graphql';
import type { GatewayContext } from '../context';
import type { ActorRateLimitedAction, RateLimitedAction } from './client-rate-limiter';

/**
 * Spends one unit of the client IP's budget for this action per field resolved (so aliases count each). The
 * first such field of a request settles the unit the request's session lookup carried, if it carried one
 * (`prepaidBudget`, see spendingFields).
 */
export function ClientRateLimit(action: RateLimitedAction) {
  const limit: MiddlewareFn<GatewayContext> = async ({ context }, next) => {
    const prepaid = context.prepaidBudget;
    if (prepaid && prepaid.action === action && !prepaid.settled) await context.services.rateLimiter.settle(prepaid);
    else await context.services.rateLimiter.spend(action, context.clientIp);
    return next();
  };
  const use = UseMiddleware(limit);
  return (target: object, field: string | symbol, descriptor: PropertyDescriptor) => {
    spendingFields[action].add(String(field));
    return use(target, field, descriptor);
  };
}

/** The fields (their method names, which name them in the schema) that spend from each client budget. */
export const spendingFields: Record<RateLimitedAction, Set<string>> = {
  'sign-in': new Set(),
  answer: new Set(),
  reauthentication: new Set(),
  'account-mail': new Set(),
  'user-code': new Set(),
};

/**
 * Whether a request's document names a field that spends from the action's budget: then its session lookup may
 * carry that spend (server.ts). A document that names one without running it (another operation, a failed
 * validation) has spent a unit all the same, as malformed requests do.
 */
export function namesSpendingField(action: RateLimitedAction, query: unknown): boolean {
  if (typeof query !== 'string') return false;
  for (const field of spendingFields[action]) if (query.includes(field)) return true;
  return false;
}

/**
 * Spends one unit of the signed-in agent's budget for this action per field resolved. Without a session it
 * spends nothing: the resolver answers UNAUTHENTICATED.
 */
export function ActorRateLimit(action: ActorRateLimitedAction) {
  const limit: MiddlewareFn<GatewayContext> = async ({ context }, next) => {
    if (context.session) await context.services.rateLimiter.spendForActor(action, context.session.agentId);
    return next();
  };
  return UseMiddleware(limit);
}
