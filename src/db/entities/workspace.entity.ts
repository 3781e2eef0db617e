import { Column, Entity, PrimaryColumn } from 'typeorm';

@Entity('workspaces')
export class WorkspaceEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 }) id!: string;
  @Column({ name: 'tenant_id', type: 'varchar', length: 36 }) tenantId!: string;
  @Column({ type: 'varchar', length: 200 }) name!: string;
  @Column({ name: 'two_factor_required', type: 'boolean', default: false }) twoFactorRequired!: boolean;
  @Column({ name: 'created_at', type: 'datetime', precision: 3 }) createdAt!: Date;
}
