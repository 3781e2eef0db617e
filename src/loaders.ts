import type { SessionIdentity } from './accounts/session-identity';
import { Clock, systemClock } from './clock';
import type { Database } from './db/database';
import { DomainError } from './errors/domain-error';
import { createTenancyLoaders } from './tenancy/tenancy.loaders';
import { createPasskeyLoader } from './two-factor/factors/passkey/passkey.loader';
import { createTenantAccessLoader } from './two-factor/tenant-access';
import { createTwoFactorStatusLoader } from './two-factor/two-factor-status';

/**
 * Per-request DataLoaders: fresh for each request, so nothing cached outlives it. Each is built when the request
 * first uses it: most operations touch one or two, and every request would otherwise pay for all of them.
 * `clock` says whether a standing has outlived its tenant's second-factor lifetime (the gateway's clock).
 */
export function createLoaders(db: Database, session: SessionIdentity | null, clock: Clock = systemClock) {
  let tenancy: ReturnType<typeof createTenancyLoaders> | undefined;
  let twoFactorStatus: ReturnType<typeof createTwoFactorStatusLoader> | undefined;
  let passkeys: ReturnType<typeof createPasskeyLoader> | undefined;
  let tenantAccess: ReturnType<typeof createTenantAccessLoader> | undefined;
  return {
    get tenant() {
      return (tenancy ??= createTenancyLoaders(db)).tenant;
    },
    get workspace() {
      return (tenancy ??= createTenancyLoaders(db)).workspace;
    },
    get agent() {
      return (tenancy ??= createTenancyLoaders(db)).agent;
    },
    get workspacesOfTenant() {
      return (tenancy ??= createTenancyLoaders(db)).workspacesOfTenant;
    },
    get twoFactorStatus() {
      return (twoFactorStatus ??= createTwoFactorStatusLoader(db));
    },
    get passkeys() {
      return (passkeys ??= createPasskeyLoader(db));
    },
    /** The session's facts per tenant, for the gate. */
    get tenantAccess() {
      if (!session) throw new DomainError('UNAUTHENTICATED');
      return (tenantAccess ??= createTenantAccessLoader(db, session, clock));
    },
  };
}

export type Loaders = ReturnType<typeof createLoaders>;
