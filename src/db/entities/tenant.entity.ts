import { Column, Entity, PrimaryColumn } from 'typeorm';

export type TenantRoleName = 'OWNER' | 'ADMIN' | 'AGENT';
export type TwoFactorPolicyName = 'OPTIONAL' | 'REQUIRED_FOR_ADMINS' | 'REQUIRED_FOR_EVERYONE';
export type RecoveryCodeFormatName = 'XXXX_XXXX' | 'XXXXX_XXXXX';

@Entity('tenants')
export class TenantEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 }) id!: string;
  @Column({ type: 'varchar', length: 200 }) name!: string;
  @Column({ type: 'varchar', length: 200 }) issuer!: string;
  @Column({ name: 'two_factor_enabled', type: 'boolean', default: false }) twoFactorEnabled!: boolean;
  @Column({ name: 'two_factor_policy', type: 'varchar', length: 32 }) twoFactorPolicy!: TwoFactorPolicyName;
  @Column({ name: 'recovery_code_format', type: 'varchar', length: 16 }) recoveryCodeFormat!: RecoveryCodeFormatName;
  @Column({ name: 'created_at', type: 'datetime', precision: 3 }) createdAt!: Date;
}
