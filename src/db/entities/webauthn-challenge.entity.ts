import { Column, Entity, PrimaryColumn } from 'typeorm';

export type WebAuthnPurpose = 'REGISTRATION' | 'ASSERTION';

/** A WebAuthn ceremony's challenge: single use (`usedAt`), bound to one session, valid for 5 minutes. */
@Entity('webauthn_challenges')
export class WebAuthnChallengeEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 }) id!: string;
  @Column({ name: 'session_id', type: 'varchar', length: 36 }) sessionId!: string;
  @Column({ name: 'tenant_id', type: 'varchar', length: 36 }) tenantId!: string;
  @Column({ name: 'agent_id', type: 'varchar', length: 36 }) agentId!: string;
  @Column({ type: 'varchar', length: 16 }) purpose!: WebAuthnPurpose;
  /** For an assertion: the second-factor challenge it answers. */
  @Column({ name: 'challenge_id', type: 'varchar', length: 36, nullable: true }) challengeId!: string | null;
  /** base64url, as it comes back in clientDataJSON. */
  @Column({ type: 'varchar', length: 128 }) challenge!: string;
  @Column({ name: 'expires_at', type: 'datetime', precision: 3 }) expiresAt!: Date;
  @Column({ name: 'used_at', type: 'datetime', precision: 3, nullable: true }) usedAt!: Date | null;
  @Column({ name: 'created_at', type: 'datetime', precision: 3 }) createdAt!: Date;
}
