import { Column, Entity, PrimaryColumn } from 'typeorm';

/** PENDING until the first code confirms it, then ENABLED. No row means NOT_CONFIGURED. */
export const AUTHENTICATOR_STATES = ['PENDING', 'ENABLED'] as const;
export type AuthenticatorStateName = (typeof AUTHENTICATOR_STATES)[number];

/**
 * The second-factor record of one (agent, tenant) pair: its state (ENABLED once any factor, TOTP or a passkey, is
 * on), the TOTP secret when TOTP is one of its factors, and the pair's failure count and lock-out.
 */
@Entity('authenticators')
export class AuthenticatorEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 }) id!: string;
  @Column({ name: 'tenant_id', type: 'varchar', length: 36 }) tenantId!: string;
  @Column({ name: 'agent_id', type: 'varchar', length: 36 }) agentId!: string;
  @Column({ type: 'varchar', length: 16 }) state!: AuthenticatorStateName;
  /** AES-256-GCM envelope of the base32 secret (see crypto/secret-box.ts). */
  @Column({ name: 'secret_ciphertext', type: 'varchar', length: 512 }) secretCiphertext!: string;
  @Column({ name: 'key_id', type: 'varchar', length: 32 }) keyId!: string;
  @Column({ name: 'pending_expires_at', type: 'datetime', precision: 3, nullable: true }) pendingExpiresAt!: Date | null;
  @Column({ name: 'confirmed_at', type: 'datetime', precision: 3, nullable: true }) confirmedAt!: Date | null;
  /** Highest TOTP time step accepted: replay protection across processes. */
  @Column({ name: 'last_used_step', type: 'integer', nullable: true }) lastUsedStep!: number | null;
  @Column({ name: 'consecutive_failures', type: 'integer', default: 0 }) consecutiveFailures!: number;
  @Column({ name: 'locked_until', type: 'datetime', precision: 3, nullable: true }) lockedUntil!: Date | null;
  /** Locks in a row since the pair's last right answer: each lasts longer, the 10th closes TOTP (lock-escalation.ts). */
  @Column({ name: 'consecutive_locks', type: 'integer', default: 0 }) consecutiveLocks!: number;
  @Column({ name: 'created_at', type: 'datetime', precision: 3 }) createdAt!: Date;
  /** The session that began the pending enrolment: only it may confirm. */
  @Column({ name: 'pending_session_id', type: 'varchar', length: 36, nullable: true }) pendingSessionId!: string | null;
  /** Whether TOTP is a confirmed factor of the pair (a pair may be ENABLED by passkeys alone). */
  @Column({ name: 'totp_enabled', type: 'boolean', default: 0 }) totpEnabled!: boolean;
  /** Wrong confirmation codes for the pending secret; the 5th discards it. */
  @Column({ name: 'pending_failed_attempts', type: 'integer', default: 0 }) pendingFailedAttempts!: number;
}
