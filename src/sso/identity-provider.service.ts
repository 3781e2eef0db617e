import type { SessionIdentity } from '../accounts/session-identity';
import { normalizeEmail } from '../accounts/email-address';
import { recordAudit } from '../audit/audit-log';
import type { Clock } from '../clock';
import type { SecretBox } from '../crypto/secret-box';
import { Database, isUniqueViolation, sqlExecute, sqlRows, Tx } from '../db/database';
import { TenantEntity } from '../db/entities';
import { newId } from '../db/ids';
import { placeholders } from '../db/raw';
import { assertThat, DomainError } from '../errors/domain-error';
import type { GateService, MemberFacts } from '../two-factor/gate.service';
import { readTenantAccess } from '../two-factor/tenant-access';
import { clientSecretContext, IdentityProviderSettings, IdentityProviderStore } from './identity-provider-store';
import type { OidcClient } from './oidc-client';
import { domainOf, isDomainName, issuerProblem, normalizeDomain } from './sso-rules';

/** What setTenantIdentityProvider is given (IdentityProviderInput). */
export interface IdentityProviderChange {
  issuer: string;
  clientId: string;
  /** Empty: keep the secret already stored. */
  clientSecret: string;
  emailDomains: string[];
  required: boolean;
  justInTimeMembers: boolean;
  trustProviderMfa: boolean;
}

/**
 * A tenant's identity provider: set and removed by its OWNER as a privileged action (RULES v3: a pass of the
 * tenant's challenge in this session within PRIVILEGED_MAX_AGE_SECONDS), read by OWNER/ADMIN, and the domain
 * look-up of the sign-in page (ssoProviderFor) and of password sign-in (`required`).
 */
export class IdentityProviderService {
  constructor(
    private readonly db: Database,
    private readonly clock: Clock,
    private readonly gate: GateService,
    private readonly secretBox: SecretBox,
    private readonly store: IdentityProviderStore,
    private readonly oidc: OidcClient,
    private readonly isProduction: boolean,
  ) {}

  /** The tenants' providers, by tenant id (Tenant.identityProvider's loader). */
  settingsOf(tenantIds: readonly string[]): Promise<Map<string, IdentityProviderSettings>> {
    return this.store.settingsOf(this.db.manager, tenantIds);
  }

  /** The tenant whose provider serves the address's domain, or null: the same statement whether or not it has an account. */
  async tenantForEmail(email: string): Promise<TenantEntity | null> {
    return (await this.store.tenantForDomain(this.db.manager, domainOf(normalizeEmail(email))))?.tenant ?? null;
  }

  /** Whether password sign-in is refused for this (normalised) address: its domain's provider is `required`. */
  async isRequiredFor(normalizedEmail: string): Promise<boolean> {
    return (await this.store.tenantForDomain(this.db.manager, domainOf(normalizedEmail)))?.required ?? false;
  }

  async set(actor: SessionIdentity, tenantId: string, change: IdentityProviderChange): Promise<TenantEntity> {
    try {
      return await this.apply(actor, tenantId, change);
    } catch (error) {
      // Another tenant's owner claimed one of the domains between our read and our insert.
      if (isUniqueViolation(error)) throw new DomainError('BAD_USER_INPUT', { field: 'emailDomains' }, "A domain was just routed to another tenant's identity provider.");
      throw error;
    }
  }

  private async apply(actor: SessionIdentity, tenantId: string, change: IdentityProviderChange): Promise<TenantEntity> {
    const issuer = change.issuer.trim().replace(/\/+$/, '') || change.issuer;
    const problem = issuerProblem(issuer, this.isProduction);
    if (problem) throw new DomainError('BAD_USER_INPUT', { field: 'issuer' }, problem);
    const domains = [...new Set(change.emailDomains.map(normalizeDomain))];
    assertThat(domains.length && domains.every(isDomainName), 'BAD_USER_INPUT', { field: 'emailDomains' }, 'emailDomains must be domain names such as acme.example');
    return this.change(actor, tenantId, async (tx, now) => {
      const existing = await this.store.row(tx, tenantId);
      assertThat(change.clientSecret || existing, 'BAD_USER_INPUT', { field: 'clientSecret' }, 'clientSecret is needed: the tenant has no identity provider yet');
      const taken = await sqlRows(tx, `SELECT domain FROM identity_provider_domains WHERE domain IN (${placeholders(domains)}) AND tenant_id <> ?`, [
        ...domains,
        tenantId,
      ]);
      if (taken.length) {
        throw new DomainError('BAD_USER_INPUT', { field: 'emailDomains' }, `${taken.map((row) => row.domain).join(', ')}: already routed to another tenant's identity provider`);
      }
      const sealed = change.clientSecret
        ? this.secretBox.seal(change.clientSecret, clientSecretContext(tenantId))
        : { envelope: existing!.clientSecretCiphertext, keyId: existing!.keyId };
      const values = [issuer, change.clientId, sealed.envelope, sealed.keyId, change.required, change.justInTimeMembers, change.trustProviderMfa, now];
      if (existing) {
        await sqlExecute(
          tx,
          `UPDATE identity_providers SET issuer = ?, client_id = ?, client_secret_ciphertext = ?, key_id = ?, required = ?, just_in_time_members = ?,
                  trust_provider_mfa = ?, updated_at = ? WHERE tenant_id = ?`,
          [...values, tenantId],
        );
        // Another issuer is another namespace of `sub`: its links would name other people.
        if (existing.issuer !== issuer) await sqlExecute(tx, 'DELETE FROM sso_links WHERE tenant_id = ?', [tenantId]);
      } else {
        await sqlExecute(
          tx,
          `INSERT INTO identity_providers (issuer, client_id, client_secret_ciphertext, key_id, required, just_in_time_members, trust_provider_mfa, updated_at, id, tenant_id, created_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
          [...values, newId(), tenantId, now],
        );
      }
      await sqlExecute(tx, 'DELETE FROM identity_provider_domains WHERE tenant_id = ?', [tenantId]);
      await sqlExecute(tx, `INSERT INTO identity_provider_domains (domain, tenant_id) VALUES ${domains.map(() => '(?, ?)').join(', ')}`, domains.flatMap((d) => [d, tenantId]));
      await recordAudit(tx, now, actor, { tenantId, action: 'IDENTITY_PROVIDER_SET', actorAgentId: actor.agentId, detail: `issuer ${issuer}` });
      if (existing) this.oidc.forget(existing.issuer);
    });
  }

  async remove(actor: SessionIdentity, tenantId: string): Promise<TenantEntity> {
    return this.change(actor, tenantId, async (tx, now) => {
      const existing = await this.store.row(tx, tenantId);
      if (!existing) return;
      for (const table of ['sso_starts', 'sso_links', 'identity_provider_domains', 'identity_providers']) {
        await sqlExecute(tx, `DELETE FROM ${table} WHERE tenant_id = ?`, [tenantId]);
      }
      await recordAudit(tx, now, actor, { tenantId, action: 'IDENTITY_PROVIDER_REMOVED', actorAgentId: actor.agentId, detail: `issuer ${existing.issuer}` });
      this.oidc.forget(existing.issuer);
    });
  }

  /**
   * Under the tenant's row lock, on the actor's facts read again there: OWNER (FORBIDDEN otherwise), then the
   * privileged pass (TWO_FACTOR_REQUIRED with maxAgeSeconds, which clients answer with enterTenant and a retry).
   */
  private change(actor: SessionIdentity, tenantId: string, apply: (tx: Tx, now: Date) => Promise<void>): Promise<TenantEntity> {
    return this.db.transaction(async (tx) => {
      await this.db.lockRow(tx, 'tenants', tenantId);
      const facts = await readTenantAccess(tx, actor, tenantId, this.clock.now());
      assertThat(facts?.role, 'NOT_FOUND');
      assertThat(facts.role === 'OWNER', 'FORBIDDEN');
      this.gate.assertPrivileged(facts as MemberFacts);
      await apply(tx, this.clock.now());
      return tx.findOneByOrFail(TenantEntity, { id: tenantId });
    });
  }
}
