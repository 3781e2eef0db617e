import { MigrationInterface, QueryRunner, Table, TableColumnOptions } from 'typeorm';

const id = (): TableColumnOptions => ({ name: 'id', type: 'varchar', length: '36', isPrimary: true });
const ref = (name: string, isNullable = false): TableColumnOptions => ({ name, type: 'varchar', length: '36', isNullable });
const text = (name: string, length: number): TableColumnOptions => ({ name, type: 'varchar', length: String(length) });
const instant = (name: string, isNullable = false): TableColumnOptions => ({ name, type: 'datetime', precision: 3, isNullable });
const fk = (table: string, column: string, referenced: string) => ({
  name: `fk_${table}_${column}`,
  columnNames: [column],
  referencedTableName: referenced,
  referencedColumnNames: ['id'],
});

/**
 * The account lifecycle:
 * - `agents.email_verified_at`: when the agent proved it reads its address (a verification link, an invitation or
 *   a password reset it followed). Existing agents have not: null.
 * - `account_tokens`: the single-use links of password resets and e-mail verifications, by purpose, kept only as
 *   SHA-256 hashes. `agent_id` is null on the rows a reset request for an address without an account writes (the
 *   same statements either way, so the answer's time says nothing); no such row can ever be redeemed.
 * - `tenant_invitations`: an address invited into a tenant with a role, its link's hash, and how it ended
 *   (accepted or revoked). Pending = neither, and not expired.
 */
export class AccountLifecycle1795825000000 implements MigrationInterface {
  name = 'AccountLifecycle1795825000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    // Plain ALTER TABLE, the same text on both databases (see SessionDetails: addColumn rebuilds a SQLite table).
    await queryRunner.query('ALTER TABLE agents ADD COLUMN email_verified_at datetime(3) NULL');
    await queryRunner.createTable(
      new Table({
        name: 'account_tokens',
        columns: [id(), ref('agent_id', true), text('purpose', 32), text('token_hash', 64), instant('created_at'), instant('expires_at'), instant('used_at', true)],
        uniques: [{ name: 'uq_account_tokens_token_hash', columnNames: ['token_hash'] }],
        indices: [
          { name: 'ix_account_tokens_agent_purpose', columnNames: ['agent_id', 'purpose'] },
          { name: 'ix_account_tokens_expires_at', columnNames: ['expires_at'] },
        ],
        foreignKeys: [fk('account_tokens', 'agent_id', 'agents')],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'tenant_invitations',
        columns: [
          id(),
          ref('tenant_id'),
          text('email', 254),
          text('role', 16),
          ref('invited_by_agent_id', true),
          text('token_hash', 64),
          instant('created_at'),
          instant('expires_at'),
          instant('accepted_at', true),
          ref('accepted_by_agent_id', true),
          instant('revoked_at', true),
        ],
        uniques: [{ name: 'uq_tenant_invitations_token_hash', columnNames: ['token_hash'] }],
        indices: [
          { name: 'ix_tenant_invitations_tenant', columnNames: ['tenant_id', 'id'] },
          { name: 'ix_tenant_invitations_email', columnNames: ['email'] },
        ],
        foreignKeys: [
          fk('tenant_invitations', 'tenant_id', 'tenants'),
          fk('tenant_invitations', 'invited_by_agent_id', 'agents'),
          fk('tenant_invitations', 'accepted_by_agent_id', 'agents'),
        ],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('tenant_invitations');
    await queryRunner.dropTable('account_tokens');
    await queryRunner.query('ALTER TABLE agents DROP COLUMN email_verified_at');
  }
}
