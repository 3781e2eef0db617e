import { MiddlewareFn, UseMiddleware } from 'type-graphql';
import type { GatewayContext } from '../context';
import type { ActorRateLimitedAction, RateLimitedAction } from './client-rate-limiter';

/** Spends one unit of the client IP's budget for this action per field resolved (so aliases count each). */
export function ClientRateLimit(action: RateLimitedAction) {
  const limit: MiddlewareFn<GatewayContext> = async ({ context }, next) => {
    await context.services.rateLimiter.spend(action, context.clientIp);
    return next();
  };
  return UseMiddleware(limit);
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
