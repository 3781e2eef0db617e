import { Column, Entity, PrimaryColumn } from 'typeorm';

/** A signed-in session; the bearer token is kept only as its SHA-256. */
@Entity('sessions')
export class SessionEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 }) id!: string;
  @Column({ name: 'agent_id', type: 'varchar', length: 36 }) agentId!: string;
  @Column({ name: 'token_hash', type: 'varchar', length: 64 }) tokenHash!: string;
  @Column({ name: 'created_at', type: 'datetime', precision: 3 }) createdAt!: Date;
  @Column({ name: 'expires_at', type: 'datetime', precision: 3 }) expiresAt!: Date;
  @Column({ name: 'ended_at', type: 'datetime', precision: 3, nullable: true }) endedAt!: Date | null;
  /** Where the sign-in came from (after TRUSTED_PROXY_HOPS) and its User-Agent, cut to SESSION_USER_AGENT_MAX_LENGTH. */
  @Column({ name: 'client_ip', type: 'varchar', length: 64, nullable: true }) clientIp?: string | null;
  @Column({ name: 'user_agent', type: 'varchar', length: 256, nullable: true }) userAgent?: string | null;
  /** The name a device sign-in gave ("tenant-2fa on build-01"); null for browser and password sign-ins. */
  @Column({ name: 'client_name', type: 'varchar', length: 200, nullable: true }) clientName?: string | null;
  /** Kept to the minute: written at most once a minute per session (see AccountService.authenticate). */
  @Column({ name: 'last_used_at', type: 'datetime', precision: 3, nullable: true }) lastUsedAt?: Date | null;
}
