import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { TenantRoleName } from './tenant.entity';

/**
 * Per tenant and role: its members, and those of them whose 2FA is ENABLED. One row per role from the tenant's
 * creation on, kept in the transaction of every change to either (src/tenancy/member-counts.ts).
 */
@Entity('tenant_member_counts')
export class TenantMemberCountEntity {
  @PrimaryColumn({ name: 'tenant_id', type: 'varchar', length: 36 }) tenantId!: string;
  @PrimaryColumn({ type: 'varchar', length: 16 }) role!: TenantRoleName;
  @Column({ type: 'integer', default: 0 }) members!: number;
  @Column({ name: 'two_factor_enabled', type: 'integer', default: 0 }) twoFactorEnabled!: number;
}
