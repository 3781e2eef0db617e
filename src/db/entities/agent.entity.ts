import { Column, Entity, PrimaryColumn } from 'typeorm';

/** One identity (email + password) that may belong to many tenants. */
@Entity('agents')
export class AgentEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 }) id!: string;
  /** As normalizeEmail spells it (src/accounts/email-address.ts); unique, compared exactly (binary on MariaDB). */
  @Column({ type: 'varchar', length: 254 }) email!: string;
  @Column({ type: 'varchar', length: 200 }) name!: string;
  @Column({ name: 'password_hash', type: 'varchar', length: 255 }) passwordHash!: string;
  @Column({ name: 'created_at', type: 'datetime', precision: 3 }) createdAt!: Date;
  /** No longer written: `lastSignIn` comes from the membership's own last session (tenant_memberships). */
  @Column({ name: 'last_session_id', type: 'varchar', length: 36, nullable: true }) lastSessionId!: string | null;
  /** When the agent proved it reads its address (a verification link, an invitation, a password reset); null until then. */
  @Column({ name: 'email_verified_at', type: 'datetime', precision: 3, nullable: true }) emailVerifiedAt!: Date | null;
}
