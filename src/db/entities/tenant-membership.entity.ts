import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { TenantRoleName } from './tenant.entity';

/** An agent's place in a tenant. Ids are UUIDv7, so ordering by id is ordering by joining time. */
@Entity('tenant_memberships')
export class TenantMembershipEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 }) id!: string;
  @Column({ name: 'tenant_id', type: 'varchar', length: 36 }) tenantId!: string;
  @Column({ name: 'agent_id', type: 'varchar', length: 36 }) agentId!: string;
  @Column({ type: 'varchar', length: 16 }) role!: TenantRoleName;
  @Column({ name: 'created_at', type: 'datetime', precision: 3 }) createdAt!: Date;
  /** The latest session (by sign-in time) that entered this tenant, and its sign-in time: feeds `lastSignIn`. */
  @Column({ name: 'last_session_id', type: 'varchar', length: 36, nullable: true }) lastSessionId?: string | null;
  /** The pair's opaque WebAuthn user handle (base64url), made with the first passkey and kept. */
  @Column({ name: 'webauthn_user_id', type: 'varchar', length: 64, nullable: true }) webauthnUserId?: string | null;
  @Column({ name: 'last_session_at', type: 'datetime', precision: 3, nullable: true }) lastSessionAt?: Date | null;
  /** Whether the pair's authenticator is ENABLED: kept with tenant_member_counts (src/tenancy/member-counts.ts). */
  @Column({ name: 'two_factor_enabled', type: 'boolean', default: false }) twoFactorEnabled!: boolean;
  /** The agent's email and name lower-cased, one line each, for the admin search (src/admin/agent-search.ts). */
  @Column({ name: 'search_text', type: 'varchar', length: 455 }) searchText!: string;
}
