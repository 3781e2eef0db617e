import { Column, Entity, PrimaryColumn } from 'typeorm';

/** A WebAuthn credential registered as a second factor of one (agent, tenant) pair. */
@Entity('passkeys')
export class PasskeyEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 }) id!: string;
  @Column({ name: 'tenant_id', type: 'varchar', length: 36 }) tenantId!: string;
  @Column({ name: 'agent_id', type: 'varchar', length: 36 }) agentId!: string;
  /** base64url; unique across every tenant. */
  @Column({ name: 'credential_id', type: 'varchar', length: 512 }) credentialId!: string;
  /** base64url of the COSE public key. Public: no need to seal it. */
  @Column({ name: 'public_key', type: 'text' }) publicKey!: string;
  /** The signature counter last seen (bigint: a string on MariaDB, read through rawInt). */
  @Column({ type: 'bigint', default: 0 }) counter!: number | string;
  /** JSON array of AuthenticatorTransport. */
  @Column({ type: 'varchar', length: 255 }) transports!: string;
  @Column({ name: 'backed_up', type: 'boolean', default: 0 }) backedUp!: boolean;
  /** 'singleDevice' | 'multiDevice' (backup eligible). */
  @Column({ name: 'device_type', type: 'varchar', length: 16 }) deviceType!: string;
  @Column({ type: 'varchar', length: 64 }) name!: string;
  @Column({ name: 'created_at', type: 'datetime', precision: 3 }) createdAt!: Date;
  @Column({ name: 'last_used_at', type: 'datetime', precision: 3, nullable: true }) lastUsedAt!: Date | null;
}
