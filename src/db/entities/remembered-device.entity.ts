import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { StandingMethodName } from './tenant-standing.entity';

/**
 * A device that skips one tenant's challenge for one agent (standing REMEMBERED_DEVICE) until it expires. Only
 * the SHA-256 of its secret is kept; the tenant's current `rememberDeviceDays` may expire it sooner
 * (src/remembered-devices/device-expiry.ts).
 */
@Entity('remembered_devices')
export class RememberedDeviceEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 }) id!: string;
  @Column({ name: 'tenant_id', type: 'varchar', length: 36 }) tenantId!: string;
  @Column({ name: 'agent_id', type: 'varchar', length: 36 }) agentId!: string;
  @Column({ name: 'secret_hash', type: 'varchar', length: 64 }) secretHash!: string;
  /** The factor the challenge was answered with when the device was remembered. */
  @Column({ type: 'varchar', length: 16 }) method!: StandingMethodName;
  /** The pass the device was remembered with. */
  @Column({ name: 'created_at', type: 'datetime', precision: 3 }) createdAt!: Date;
  /** The tenant's days when it was remembered, counted from `createdAt`. */
  @Column({ name: 'expires_at', type: 'datetime', precision: 3 }) expiresAt!: Date;
  @Column({ name: 'last_used_at', type: 'datetime', precision: 3, nullable: true }) lastUsedAt!: Date | null;
  /** Where it was last remembered or used from. */
  @Column({ name: 'client_ip', type: 'varchar', length: 64, nullable: true }) clientIp!: string | null;
  @Column({ name: 'user_agent', type: 'varchar', length: 256, nullable: true }) userAgent!: string | null;
}
