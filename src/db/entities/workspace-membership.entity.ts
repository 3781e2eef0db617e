import { Column, Entity, PrimaryColumn } from 'typeorm';

@Entity('workspace_memberships')
export class WorkspaceMembershipEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 }) id!: string;
  @Column({ name: 'tenant_id', type: 'varchar', length: 36 }) tenantId!: string;
  @Column({ name: 'workspace_id', type: 'varchar', length: 36 }) workspaceId!: string;
  @Column({ name: 'agent_id', type: 'varchar', length: 36 }) agentId!: string;
  @Column({ name: 'created_at', type: 'datetime', precision: 3 }) createdAt!: Date;
}
