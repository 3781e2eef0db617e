import { MiddlewareFn, UseMiddleware } from 'type-graphql';
import type { GatewayContext } from '../context';
import type { RateLimitedAction } from './client-rate-limiter';

/** Spends one unit of the client IP's budget for this action per field resolved (so aliases count each). */
export function ClientRateLimit(action: RateLimitedAction) {
  const limit: MiddlewareFn<GatewayContext> = async ({ context }, next) => {
    await context.services.rateLimiter.spend(action, context.clientIp);
    return next();
  };
  return UseMiddleware(limit);
}
