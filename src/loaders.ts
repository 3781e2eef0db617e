import type { SessionIdentity } from './accounts/session-identity';
import type { Database } from './db/database';
import { DomainError } from './errors/domain-error';
import { createTenancyLoaders } from './tenancy/tenancy.loaders';
import { createPasskeyLoader } from './two-factor/factors/passkey/passkey.loader';
import { createTenantAccessLoader } from './two-factor/tenant-access';
import { createTwoFactorStatusLoader } from './two-factor/two-factor-status';

/** Per-request DataLoaders: made fresh for each request, so nothing cached outlives it. */
export function createLoaders(db: Database, session: SessionIdentity | null) {
  let tenantAccess: ReturnType<typeof createTenantAccessLoader> | undefined;
  return {
    ...createTenancyLoaders(db),
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
