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
 * first uses it: most operations touch one or two, and every request would otherwise pay for all of them. A
 * class, so that the getters live on its prototype (an object literal's getters were defined anew per request,
 * about 1 % of a gate check).
 */
export class Loaders {
  private tenancy?: ReturnType<typeof createTenancyLoaders>;
  private twoFactorStatusLoader?: ReturnType<typeof createTwoFactorStatusLoader>;
  private passkeyLoader?: ReturnType<typeof createPasskeyLoader>;
  private tenantAccessLoader?: ReturnType<typeof createTenantAccessLoader>;

  /** `clock` says whether a standing has outlived its tenant's second-factor lifetime (the gateway's clock). */
  constructor(
    private readonly db: Database,
    private readonly session: SessionIdentity | null,
    private readonly clock: Clock = systemClock,
  ) {}

  get tenant() {
    return this.tenancyLoaders().tenant;
  }
  get workspace() {
    return this.tenancyLoaders().workspace;
  }
  get agent() {
    return this.tenancyLoaders().agent;
  }
  get workspacesOfTenant() {
    return this.tenancyLoaders().workspacesOfTenant;
  }
  get twoFactorStatus() {
    return (this.twoFactorStatusLoader ??= createTwoFactorStatusLoader(this.db));
  }
  get passkeys() {
    return (this.passkeyLoader ??= createPasskeyLoader(this.db));
  }
  /** The session's facts per tenant, for the gate. */
  get tenantAccess() {
    if (!this.session) throw new DomainError('UNAUTHENTICATED');
    return (this.tenantAccessLoader ??= createTenantAccessLoader(this.db, this.session, this.clock));
  }

  private tenancyLoaders() {
    return (this.tenancy ??= createTenancyLoaders(this.db));
  }
}
