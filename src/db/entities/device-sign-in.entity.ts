import { Column, Entity, PrimaryColumn } from 'typeorm';

/** PENDING until a browser session decides; USED once the device has polled its session out (single use). */
export type DeviceSignInState = 'PENDING' | 'APPROVED' | 'DENIED' | 'USED';

/**
 * A device (the CLI) asking to be signed in through a browser (RFC 8628 style). Only the SHA-256 of the device
 * code and of the normalised user code are kept.
 */
@Entity('device_sign_ins')
export class DeviceSignInEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 }) id!: string;
  @Column({ name: 'device_code_hash', type: 'varchar', length: 64 }) deviceCodeHash!: string;
  @Column({ name: 'user_code_hash', type: 'varchar', length: 64 }) userCodeHash!: string;
  @Column({ name: 'client_name', type: 'varchar', length: 200 }) clientName!: string;
  /** The tenant whose standing the device asked for, as it named it (not checked until a browser approves). */
  @Column({ name: 'tenant_id', type: 'varchar', length: 36, nullable: true }) tenantId!: string | null;
  /** Where the device asked from, shown on the approval page. */
  @Column({ name: 'client_ip', type: 'varchar', length: 64, nullable: true }) clientIp!: string | null;
  @Column({ name: 'user_agent', type: 'varchar', length: 256, nullable: true }) userAgent!: string | null;
  @Column({ type: 'varchar', length: 16 }) state!: DeviceSignInState;
  @Column({ name: 'created_at', type: 'datetime', precision: 3 }) createdAt!: Date;
  @Column({ name: 'expires_at', type: 'datetime', precision: 3 }) expiresAt!: Date;
  @Column({ name: 'last_polled_at', type: 'datetime', precision: 3, nullable: true }) lastPolledAt!: Date | null;
  /** The agent whose browser session decided, and that session. */
  @Column({ name: 'agent_id', type: 'varchar', length: 36, nullable: true }) agentId!: string | null;
  @Column({ name: 'approving_session_id', type: 'varchar', length: 36, nullable: true }) approvingSessionId!: string | null;
  @Column({ name: 'decided_at', type: 'datetime', precision: 3, nullable: true }) decidedAt!: Date | null;
  /** The session the device was given. */
  @Column({ name: 'session_id', type: 'varchar', length: 36, nullable: true }) sessionId!: string | null;
}
