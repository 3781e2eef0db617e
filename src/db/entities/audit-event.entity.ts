import { Column, Entity, PrimaryColumn } from 'typeorm';

/** Who did what to whom in a tenant. Never holds a secret, code or password. Ids are UUIDv7 (time-ordered). */
@Entity('audit_events')
export class AuditEventEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 }) id!: string;
  @Column({ name: 'tenant_id', type: 'varchar', length: 36 }) tenantId!: string;
  @Column({ type: 'varchar', length: 64 }) action!: string;
  @Column({ name: 'actor_agent_id', type: 'varchar', length: 36, nullable: true }) actorAgentId!: string | null;
  @Column({ name: 'subject_agent_id', type: 'varchar', length: 36, nullable: true }) subjectAgentId!: string | null;
  @Column({ name: 'workspace_id', type: 'varchar', length: 36, nullable: true }) workspaceId!: string | null;
  @Column({ type: 'datetime', precision: 3 }) at!: Date;
  /** The second factor involved (CHALLENGE_PASSED, CHALLENGE_FAILED, …): TOTP, RECOVERY_CODE or PASSKEY. */
  @Column({ type: 'varchar', length: 16, nullable: true }) method!: string | null;
  /** The client address of the request that caused the event (null for events written outside a request). */
  @Column({ name: 'client_ip', type: 'varchar', length: 45, nullable: true }) clientIp!: string | null;
  /** What the event adds in words (SSO_SIGN_IN: the provider and its amr; SSO_SIGN_IN_REFUSED: why). */
  @Column({ type: 'varchar', length: 500, nullable: true }) detail!: string | null;
}
