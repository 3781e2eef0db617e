import { Column, Entity, PrimaryColumn } from 'typeorm';

import type { RecoveryCodeFormatName } from '../../crypto/recovery-codes';

export type { RecoveryCodeFormatName };
export const TENANT_ROLES = ['OWNER', 'ADMIN', 'AGENT'] as const;
export type TenantRoleName = (typeof TENANT_ROLES)[number];
export const TWO_FACTOR_POLICIES = ['OPTIONAL', 'REQUIRED_FOR_ADMINS', 'REQUIRED_FOR_EVERYONE'] as const;
export type TwoFactorPolicyName = (typeof TWO_FACTOR_POLICIES)[number];
export const RECOVERY_CODE_VISIBILITIES = ['SHOWN_ONCE', 'VIEWABLE'] as const;
export type RecoveryCodeVisibilityName = (typeof RECOVERY_CODE_VISIBILITIES)[number];

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
  /** Days a device may be remembered after a passed challenge; 0 turns remembering off. */
  @Column({ name: 'remember_device_days', type: 'integer', default: 0 }) rememberDeviceDays!: number;
  /** Seconds a standing holds after it was granted; null: for the session's lifetime. */
  @Column({ name: 'second_factor_lifetime_seconds', type: 'integer', nullable: true }) secondFactorLifetimeSeconds!: number | null;
  @Column({ name: 'created_at', type: 'datetime', precision: 3 }) createdAt!: Date;
}
