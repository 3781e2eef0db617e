import type { SessionIdentity } from './accounts/session-identity';
import { DomainError } from './errors/domain-error';
import type { DeviceTokenJar } from './http/device-cookie';
import type { SessionCookieJar } from './http/session-cookie';
import type { Loaders } from './loaders';
import type { BudgetSpend } from './rate-limits/client-rate-limiter';
import type { Services } from './services';
import type { SsoStateCookieJar } from './sso/sso-cookie';

/** What one GraphQL request carries: its caller, its loaders, and the services. */
export interface GatewayContext {
  requestId: string;
  session: SessionIdentity | null;
  loaders: Loaders;
  services: Services;
  /** The client's address (after the configured trusted proxies), for per-IP limits. */
  clientIp: string;
  /** The User-Agent header, recorded on sessions started by this request. */
  userAgent: string | undefined;
  /** Sign-in and sign-out also set the session cookie for browsers. */
  sessionCookie: SessionCookieJar;
  /** The remembered-device secrets the request presents, and the cookies an answer sets. */
  deviceTokens: DeviceTokenJar;
  /** beginSsoSignIn binds its state to this browser with a cookie. */
  ssoState: SsoStateCookieJar;
  /**
   * The request's log line (the metrics plugin adds the operation, its root fields). Shared by reference:
   * Apollo runs each operation on a shallow copy of the context, so only a shared object reaches the log line.
   */
  requestLog: { operation?: string } & Record<string, unknown>;
  /**
   * A unit of the client address's answer budget the session lookup carried (one round trip for both), for the
   * ClientRateLimit middleware to settle; absent when the request names no answering field.
   */
  prepaidBudget?: BudgetSpend | null;
}

export function requireSession(context: Pick<GatewayContext, 'session'>): SessionIdentity {
  if (!context.session) throw new DomainError('UNAUTHENTICATED');
  return context.session;
}
