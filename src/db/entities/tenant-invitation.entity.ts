import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { TenantRoleName } from './tenant.entity';

/**
 * An address invited into a tenant with a role. The link's token is kept only as its SHA-256. Pending while
 * neither accepted nor revoked and not expired; a newer invitation of the same address revokes the older one.
 */
@Entity('tenant_invitations')
export class TenantInvitationEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 }) id!: string;
  @Column({ name: 'tenant_id', type: 'varchar', length: 36 }) tenantId!: string;
  /** Normalised like agents.email. */
  @Column({ type: 'varchar', length: 254 }) email!: string;
  @Column({ type: 'varchar', length: 16 }) role!: TenantRoleName;
  @Column({ name: 'invited_by_agent_id', type: 'varchar', length: 36, nullable: true }) invitedByAgentId!: string | null;
  @Column({ name: 'token_hash', type: 'varchar', length: 64 }) tokenHash!: string;
  @Column({ name: 'created_at', type: 'datetime', precision: 3 }) createdAt!: Date;
  @Column({ name: 'expires_at', type: 'datetime', precision: 3 }) expiresAt!: Date;
  @Column({ name: 'accepted_at', type: 'datetime', precision: 3, nullable: true }) acceptedAt!: Date | null;
  @Column({ name: 'accepted_by_agent_id', type: 'varchar', length: 36, nullable: true }) acceptedByAgentId!: string | null;
  @Column({ name: 'revoked_at', type: 'datetime', precision: 3, nullable: true }) revokedAt!: Date | null;
}
