import { Not, type EntityManager } from 'typeorm';
import type { SecretBox } from '../crypto/secret-box';
import { Database, sqlRows } from '../db/database';
import { IdentityProviderEntity, TenantEntity } from '../db/entities';
import { rawEntity } from '../db/load-by-ids';
import { placeholders } from '../db/raw';

/** The binding of a sealed client secret to its tenant: a ciphertext copied onto another tenant's row will not open. */
export const clientSecretContext = (tenantId: string) => `sso-client-secret:${tenantId}`;

/** A tenant's provider as the gateway uses it: its settings, its domains, and (when opened) its client secret. */
export interface IdentityProviderSettings {
  tenantId: string;
  issuer: string;
  clientId: string;
  emailDomains: string[];
  required: boolean;
  justInTimeMembers: boolean;
  trustProviderMfa: boolean;
}

/** Reads of the providers and their domains, shared by the settings, the sign-in and the password sign-in's `required`. */
export class IdentityProviderStore {
  private readonly providerRows: ReturnType<typeof rawEntity<IdentityProviderEntity>>;
  private readonly tenantRows: ReturnType<typeof rawEntity<TenantEntity>>;

  constructor(
    private readonly db: Database,
    private readonly secretBox: SecretBox,
  ) {
    this.providerRows = rawEntity(db, IdentityProviderEntity);
    this.tenantRows = rawEntity(db, TenantEntity, 't');
  }

  /** The tenant's provider row, or null. */
  async row(manager: EntityManager, tenantId: string): Promise<IdentityProviderEntity | null> {
    const [row] = await sqlRows(manager, `SELECT ${this.providerRows.columnList} FROM identity_providers WHERE tenant_id = ?`, [tenantId]);
    return row ? this.providerRows.toEntity(row) : null;
  }

  /** The settings of the tenants' providers (one statement each for providers and domains), by tenant id. */
  async settingsOf(manager: EntityManager, tenantIds: readonly string[]): Promise<Map<string, IdentityProviderSettings>> {
    if (!tenantIds.length) return new Map();
    const list = placeholders(tenantIds);
    const rows = await sqlRows(manager, `SELECT ${this.providerRows.columnList} FROM identity_providers WHERE tenant_id IN (${list})`, [...tenantIds]);
    const domains = await sqlRows<{ domain: string; tenant_id: string }>(
      manager,
      `SELECT domain, tenant_id FROM identity_provider_domains WHERE tenant_id IN (${list}) ORDER BY domain`,
      [...tenantIds],
    );
    const settings = new Map<string, IdentityProviderSettings>();
    for (const row of rows.map((raw) => this.providerRows.toEntity(raw))) {
      settings.set(row.tenantId, {
        tenantId: row.tenantId,
        issuer: row.issuer,
        clientId: row.clientId,
        emailDomains: domains.filter((d) => d.tenant_id === row.tenantId).map((d) => d.domain),
        required: row.required,
        justInTimeMembers: row.justInTimeMembers,
        trustProviderMfa: row.trustProviderMfa,
      });
    }
    return settings;
  }

  /** The provider's settings with its client secret opened, for talking to the provider; null without one. */
  async withSecret(manager: EntityManager, tenantId: string): Promise<(IdentityProviderSettings & { clientSecret: string }) | null> {
    const settings = (await this.settingsOf(manager, [tenantId])).get(tenantId);
    const row = settings && (await this.row(manager, tenantId));
    if (!settings || !row) return null;
    return { ...settings, clientSecret: this.secretBox.open(row.clientSecretCiphertext, clientSecretContext(tenantId)) };
  }

  /** The tenant whose provider serves this domain, with whether it requires the provider; null for none. */
  async tenantForDomain(manager: EntityManager, domain: string): Promise<{ tenant: TenantEntity; required: boolean } | null> {
    const [row] = await sqlRows(
      manager,
      `SELECT ${this.tenantRows.columnList}, p.required AS provider_required
         FROM identity_provider_domains d JOIN tenants t ON t.id = d.tenant_id JOIN identity_providers p ON p.tenant_id = d.tenant_id
        WHERE d.domain = ?`,
      [domain],
    );
    if (!row) return null;
    return { tenant: this.tenantRows.toEntity(row), required: row.provider_required === true || Number(row.provider_required) === 1 };
  }
}

/**
 * rotate-keys: every client secret not sealed with the current key, sealed again with it. Each row is rewritten
 * only if its ciphertext is still the one read (a secret set meanwhile is under the current key already), so the
 * run is safe to interrupt and to repeat. Answers how many were re-sealed.
 */
export async function resealClientSecrets(db: Database, secretBox: SecretBox): Promise<number> {
  let resealed = 0;
  for (const row of await db.manager.find(IdentityProviderEntity, { where: { keyId: Not(secretBox.currentKeyId) } })) {
    const context = clientSecretContext(row.tenantId);
    const sealed = secretBox.seal(secretBox.open(row.clientSecretCiphertext, context), context);
    const result = await db.transaction((tx) =>
      tx.update(IdentityProviderEntity, { id: row.id, clientSecretCiphertext: row.clientSecretCiphertext }, { clientSecretCiphertext: sealed.envelope, keyId: sealed.keyId }),
    );
    resealed += result.affected ?? 0;
  }
  return resealed;
}
