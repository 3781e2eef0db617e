import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { TwoFactorMethodName } from '../../two-factor/authenticator-state';

/** How the session got its standing: a second factor's answer, or confirming enrolment. */
export type StandingMethodName = TwoFactorMethodName | 'ENROLMENT';

/**
 * A session passed a tenant's second factor. It stands while `revokedAt` is null; revoked rows stay as the
 * record that the sign-in used two-factor (`lastSignIn.usedTwoFactor`).
 */
@Entity('tenant_standings')
export class TenantStandingEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 }) id!: string;
  @Column({ name: 'session_id', type: 'varchar', length: 36 }) sessionId!: string;
  @Column({ name: 'tenant_id', type: 'varchar', length: 36 }) tenantId!: string;
  @Column({ name: 'agent_id', type: 'varchar', length: 36 }) agentId!: string;
  @Column({ type: 'varchar', length: 16 }) method!: StandingMethodName;
  @Column({ name: 'passed_at', type: 'datetime', precision: 3 }) passedAt!: Date;
  @Column({ name: 'revoked_at', type: 'datetime', precision: 3, nullable: true }) revokedAt!: Date | null;
}
