import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * One recovery code as a keyed hash; `usedAt` makes it single-use. In a VIEWABLE tenant also an encrypted copy
 * (the TOTP secrets' envelope, bound to tenant and agent) and the id of the key that sealed it.
 */
@Entity('recovery_codes')
export class RecoveryCodeEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 }) id!: string;
  @Column({ name: 'tenant_id', type: 'varchar', length: 36 }) tenantId!: string;
  @Column({ name: 'agent_id', type: 'varchar', length: 36 }) agentId!: string;
  @Column({ name: 'code_hash', type: 'varchar', length: 64 }) codeHash!: string;
  @Column({ name: 'key_id', type: 'varchar', length: 32 }) keyId!: string;
  @Column({ name: 'used_at', type: 'datetime', precision: 3, nullable: true }) usedAt!: Date | null;
  @Column({ name: 'created_at', type: 'datetime', precision: 3 }) createdAt!: Date;
  @Column({ name: 'code_ciphertext', type: 'varchar', length: 255, nullable: true }) codeCiphertext?: string | null;
  @Column({ name: 'ciphertext_key_id', type: 'varchar', length: 32, nullable: true }) ciphertextKeyId?: string | null;
}
