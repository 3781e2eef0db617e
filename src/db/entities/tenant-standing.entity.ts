import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { TwoFactorMethodName } from '../../two-factor/authenticator-state';

/**
 * The second factor behind a standing: a factor's answer, confirming enrolment, or (IDENTITY_PROVIDER) the
 * provider's own multi-factor sign-in, which names none of this gateway's factors.
 */
export type StandingMethodName = TwoFactorMethodName | 'ENROLMENT' | 'PROVIDER';

/** Where a session's standing in a tenant came from (the contract's StandingSource). */
export const STANDING_SOURCES = ['CHALLENGE', 'REMEMBERED_DEVICE', 'IDENTITY_PROVIDER', 'DEVICE_APPROVAL'] as const;
export type StandingSourceName = (typeof STANDING_SOURCES)[number];

/**
 * A session holds a tenant's second factor. It stands while `revokedAt` is null and, where the tenant sets a
 * second-factor lifetime, until that long after `grantedAt`; revoked rows stay as the record that the sign-in
 * used two-factor (`lastSignIn.usedTwoFactor`).
 */
@Entity('tenant_standings')
export class TenantStandingEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 }) id!: string;
  @Column({ name: 'session_id', type: 'varchar', length: 36 }) sessionId!: string;
  @Column({ name: 'tenant_id', type: 'varchar', length: 36 }) tenantId!: string;
  @Column({ name: 'agent_id', type: 'varchar', length: 36 }) agentId!: string;
  @Column({ type: 'varchar', length: 24, default: 'CHALLENGE' }) source!: StandingSourceName;
  @Column({ type: 'varchar', length: 16 }) method!: StandingMethodName;
  /** When the second factor behind the standing was answered (in this session, or where the source says). */
  @Column({ name: 'passed_at', type: 'datetime', precision: 3 }) passedAt!: Date;
  /** When this session was granted the standing: a tenant's second-factor lifetime counts from here. */
  @Column({ name: 'granted_at', type: 'datetime', precision: 3 }) grantedAt!: Date;
  @Column({ name: 'revoked_at', type: 'datetime', precision: 3, nullable: true }) revokedAt!: Date | null;
}
