import { MigrationInterface, QueryRunner, Table, TableColumnOptions } from 'typeorm';

const ref = (name: string): TableColumnOptions => ({ name, type: 'varchar', length: '36' });
const text = (name: string, length: number, isNullable = false): TableColumnOptions => ({ name, type: 'varchar', length: String(length), isNullable });
const instant = (name: string, isNullable = false): TableColumnOptions => ({ name, type: 'datetime', precision: 3, isNullable });
const flag = (name: string): TableColumnOptions => ({ name, type: 'boolean', default: 0 });
const fk = (table: string, column: string, referenced: string) => ({
  name: `fk_${table}_${column}`,
  columnNames: [column],
  referencedTableName: referenced,
  referencedColumnNames: ['id'],
});

/**
 * Single sign-on through a tenant's OpenID Connect provider:
 * - `identity_providers`: at most one per tenant (`tenant_id` unique). The client secret is sealed with the
 *   ENCRYPTION_KEYS envelope (`key_id` names the key, indexed like the other sealed columns, so start-up checks it
 *   and `rotate-keys` re-seals it).
 * - `identity_provider_domains`: the e-mail domains routed to a tenant's provider. A domain is the primary key, so
 *   one domain belongs to one tenant at most: a provider never signs in an address of another tenant's domains.
 * - `sso_links`: the provider's `sub` linked to an agent, once, per tenant (unique), found by it afterwards.
 * - `sso_starts`: a sign-in begun and not yet finished, shared by every process: only the SHA-256 of its `state`,
 *   the `nonce` sent to the provider, where to return, and its expiry; `used_at` makes it single use.
 * - `audit_events.detail`: what an event adds in words (the provider and the amr of an SSO sign-in, why one was refused).
 */
export class SingleSignOn1795860000000 implements MigrationInterface {
  name = 'SingleSignOn1795860000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'identity_providers',
        columns: [
          { name: 'id', type: 'varchar', length: '36', isPrimary: true },
          ref('tenant_id'),
          text('issuer', 500),
          text('client_id', 255),
          { name: 'client_secret_ciphertext', type: 'text' },
          text('key_id', 32),
          flag('required'),
          flag('just_in_time_members'),
          flag('trust_provider_mfa'),
          instant('created_at'),
          instant('updated_at'),
        ],
        uniques: [{ name: 'uq_identity_providers_tenant', columnNames: ['tenant_id'] }],
        indices: [{ name: 'ix_identity_providers_key_id', columnNames: ['key_id'] }],
        foreignKeys: [fk('identity_providers', 'tenant_id', 'tenants')],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'identity_provider_domains',
        columns: [{ name: 'domain', type: 'varchar', length: '253', isPrimary: true }, ref('tenant_id')],
        indices: [{ name: 'ix_identity_provider_domains_tenant', columnNames: ['tenant_id'] }],
        foreignKeys: [fk('identity_provider_domains', 'tenant_id', 'tenants')],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'sso_links',
        columns: [{ name: 'id', type: 'varchar', length: '36', isPrimary: true }, ref('tenant_id'), text('subject', 255), ref('agent_id'), instant('created_at')],
        uniques: [
          { name: 'uq_sso_links_tenant_subject', columnNames: ['tenant_id', 'subject'] },
          { name: 'uq_sso_links_tenant_agent', columnNames: ['tenant_id', 'agent_id'] },
        ],
        indices: [{ name: 'ix_sso_links_agent', columnNames: ['agent_id'] }],
        foreignKeys: [fk('sso_links', 'tenant_id', 'tenants'), fk('sso_links', 'agent_id', 'agents')],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'sso_starts',
        columns: [
          { name: 'id', type: 'varchar', length: '36', isPrimary: true },
          text('state_hash', 64),
          ref('tenant_id'),
          text('nonce', 64),
          text('return_to', 512),
          instant('created_at'),
          instant('expires_at'),
          instant('used_at', true),
        ],
        uniques: [{ name: 'uq_sso_starts_state_hash', columnNames: ['state_hash'] }],
        indices: [
          { name: 'ix_sso_starts_expires_at', columnNames: ['expires_at'] },
          { name: 'ix_sso_starts_tenant', columnNames: ['tenant_id'] },
        ],
        foreignKeys: [fk('sso_starts', 'tenant_id', 'tenants')],
      }),
    );
    await queryRunner.query('ALTER TABLE audit_events ADD COLUMN detail varchar(500) NULL');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE audit_events DROP COLUMN detail');
    await queryRunner.dropTable('sso_starts');
    await queryRunner.dropTable('sso_links');
    await queryRunner.dropTable('identity_provider_domains');
    await queryRunner.dropTable('identity_providers');
  }
}
