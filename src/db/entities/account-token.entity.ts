import { Column, Entity, PrimaryColumn } from 'typeorm';

export const ACCOUNT_TOKEN_PURPOSES = ['PASSWORD_RESET', 'EMAIL_VERIFICATION'] as const;
export type AccountTokenPurpose = (typeof ACCOUNT_TOKEN_PURPOSES)[number];

/**
 * The single-use link of a password reset or an e-mail verification: only its SHA-256 is kept. A reset request
 * for an address without an account writes a row too, with no agent (it can never be redeemed).
 */
@Entity('account_tokens')
export class AccountTokenEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 }) id!: string;
  @Column({ name: 'agent_id', type: 'varchar', length: 36, nullable: true }) agentId!: string | null;
  @Column({ type: 'varchar', length: 32 }) purpose!: AccountTokenPurpose;
  @Column({ name: 'token_hash', type: 'varchar', length: 64 }) tokenHash!: string;
  @Column({ name: 'created_at', type: 'datetime', precision: 3 }) createdAt!: Date;
  @Column({ name: 'expires_at', type: 'datetime', precision: 3 }) expiresAt!: Date;
  @Column({ name: 'used_at', type: 'datetime', precision: 3, nullable: true }) usedAt!: Date | null;
}
