import type { SsoRequirement } from '../accounts/account.service';
import type { Database } from '../db/database';
import type { PublicUrl } from '../http/public-url';
import type { IdentityProviderStore } from './identity-provider-store';
import { domainOf } from './sso-rules';

/**
 * `required` providers for password sign-in: an address of their domains signs in through the provider. One
 * indexed statement, run for every password sign-in whether or not the address has an account.
 */
export class SsoRequiredDomains implements SsoRequirement {
  constructor(
    private readonly db: Database,
    private readonly store: IdentityProviderStore,
    private readonly publicUrl: PublicUrl,
  ) {}

  async signInUrlFor(normalizedEmail: string): Promise<string | null> {
    const found = await this.store.tenantForDomain(this.db.manager, domainOf(normalizedEmail));
    return found?.required ? this.publicUrl.link('/sign-in', { email: normalizedEmail }) : null;
  }
}
