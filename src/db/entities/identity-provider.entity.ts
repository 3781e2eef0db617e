import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * A tenant's OpenID Connect provider (at most one per tenant). The client secret is sealed with the
 * ENCRYPTION_KEYS envelope, bound to the tenant (src/sso/identity-provider-store.ts); its e-mail domains are rows
 * of `identity_provider_domains`.
 */
@Entity('identity_providers')
export class IdentityProviderEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 }) id!: string;
  @Column({ name: 'tenant_id', type: 'varchar', length: 36 }) tenantId!: string;
  @Column({ type: 'varchar', length: 500 }) issuer!: string;
  @Column({ name: 'client_id', type: 'varchar', length: 255 }) clientId!: string;
  @Column({ name: 'client_secret_ciphertext', type: 'text' }) clientSecretCiphertext!: string;
  @Column({ name: 'key_id', type: 'varchar', length: 32 }) keyId!: string;
  @Column({ type: 'boolean', default: false }) required!: boolean;
  @Column({ name: 'just_in_time_members', type: 'boolean', default: false }) justInTimeMembers!: boolean;
  @Column({ name: 'trust_provider_mfa', type: 'boolean', default: false }) trustProviderMfa!: boolean;
  @Column({ name: 'created_at', type: 'datetime', precision: 3 }) createdAt!: Date;
  @Column({ name: 'updated_at', type: 'datetime', precision: 3 }) updatedAt!: Date;
}
