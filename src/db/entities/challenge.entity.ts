import { Column, Entity, PrimaryColumn } from 'typeorm';

export const CHALLENGE_STATES = ['OPEN', 'PASSED', 'INVALIDATED', 'CANCELLED'] as const;
export type ChallengeStateName = (typeof CHALLENGE_STATES)[number];

/** A second-factor challenge of one session in one tenant. Its state machine: two-factor/challenge-store.ts. */
@Entity('challenges')
export class ChallengeEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 }) id!: string;
  @Column({ name: 'session_id', type: 'varchar', length: 36 }) sessionId!: string;
  @Column({ name: 'tenant_id', type: 'varchar', length: 36 }) tenantId!: string;
  @Column({ name: 'agent_id', type: 'varchar', length: 36 }) agentId!: string;
  @Column({ name: 'workspace_id', type: 'varchar', length: 36, nullable: true }) workspaceId!: string | null;
  @Column({ type: 'varchar', length: 16 }) state!: ChallengeStateName;
  @Column({ name: 'failed_attempts', type: 'integer', default: 0 }) failedAttempts!: number;
  @Column({ name: 'expires_at', type: 'datetime', precision: 3 }) expiresAt!: Date;
  @Column({ name: 'created_at', type: 'datetime', precision: 3 }) createdAt!: Date;
}
