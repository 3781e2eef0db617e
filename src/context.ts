import type { SessionIdentity } from './accounts/account.service';
import { createAdminLoaders } from './admin/admin.loaders';
import type { Database } from './db/database';
import { DomainError } from './errors/domain-error';
import type { SessionCookieJar } from './http/session-cookie';
import type { Services } from './services';
import { createTenancyLoaders } from './tenancy/tenancy.loaders';
import { createPasskeyLoader } from './two-factor/factors/passkey/passkey.loader';
import { createTenantAccessLoader } from './two-factor/tenant-access';
import { createTwoFactorStatusLoader } from './two-factor/two-factor-status';

/** Per-request DataLoaders: made fresh for each request, so nothing cached outlives it. */
export function createLoaders(db: Database, session: SessionIdentity | null) {
  let tenantAccess: ReturnType<typeof createTenantAccessLoader> | undefined;
  return {
    ...createTenancyLoaders(db),
    ...createAdminLoaders(db),
    twoFactorStatus: createTwoFactorStatusLoader(db),
    passkeys: createPasskeyLoader(db),
    /** The session's facts per tenant, for the gate. */
    get tenantAccess() {
      if (!session) throw new DomainError('UNAUTHENTICATED');
      return (tenantAccess ??= createTenantAccessLoader(db, session));
    },
  };
}

export type Loaders = ReturnType<typeof createLoaders>;

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
  /**
   * The request's log line (the metrics plugin adds the operation, its root fields). Shared by reference:
   * Apollo runs each operation on a shallow copy of the context, so only a shared object reaches the log line.
   */
  requestLog: { operation?: string } & Record<string, unknown>;
}

export function requireSession(context: Pick<GatewayContext, 'session'>): SessionIdentity {
  if (!context.session) throw new DomainError('UNAUTHENTICATED');
  return context.session;
}
