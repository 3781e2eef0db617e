import { Column, Entity, PrimaryColumn } from 'typeorm';

export type TenantRoleName = 'OWNER' | 'ADMIN' | 'AGENT';
export type TwoFactorPolicyName = 'OPTIONAL' | 'REQUIRED_FOR_ADMINS' | 'REQUIRED_FOR_EVERYONE';
export type RecoveryCodeFormatName = 'XXXX_XXXX' | 'XXXXX_XXXXX';
export type RecoveryCodeVisibilityName = 'SHOWN_ONCE' | 'VIEWABLE';

@Entity('tenants')
export class TenantEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 }) id!: string;
  @Column({ type: 'varchar', length: 200 }) name!: string;
  @Column({ type: 'varchar', length: 200 }) issuer!: string;
  @Column({ name: 'two_factor_enabled', type: 'boolean', default: false }) twoFactorEnabled!: boolean;
  @Column({ name: 'two_factor_policy', type: 'varchar', length: 32 }) twoFactorPolicy!: TwoFactorPolicyName;
  @Column({ name: 'recovery_code_format', type: 'varchar', length: 16 }) recoveryCodeFormat!: RecoveryCodeFormatName;
  /** VIEWABLE keeps an encrypted copy of each code beside its hash, for viewRecoveryCodes. */
  @Column({ name: 'recovery_code_visibility', type: 'varchar', length: 16, default: 'SHOWN_ONCE' }) recoveryCodeVisibility!: RecoveryCodeVisibilityName;
  /** With VIEWABLE: a used code is replaced by a fresh one in the same transaction. */
  @Column({ name: 'recovery_code_replenish', type: 'boolean', default: false }) recoveryCodeReplenish!: boolean;
  @Column({ name: 'created_at', type: 'datetime', precision: 3 }) createdAt!: Date;
}
