import { MigrationInterface, QueryRunner, Table, TableColumnOptions } from 'typeorm';

const id = (): TableColumnOptions => ({ name: 'id', type: 'varchar', length: '36', isPrimary: true });
const ref = (name: string, isNullable = false): TableColumnOptions => ({ name, type: 'varchar', length: '36', isNullable });
const text = (name: string, length: number, isNullable = false): TableColumnOptions => ({ name, type: 'varchar', length: String(length), isNullable });
const instant = (name: string, isNullable = false): TableColumnOptions => ({ name, type: 'datetime', precision: 3, isNullable });
const fk = (table: string, column: string, referenced: string) => ({
  name: `fk_${table}_${column}`,
  columnNames: [column],
  referencedTableName: referenced,
  referencedColumnNames: ['id'],
});

/**
 * Passkeys (WebAuthn credentials) as a second factor per (agent, tenant):
 * - `passkeys`: one row per credential; the credential id is unique across every tenant.
 * - `webauthn_challenges`: the challenges of registration and assertion ceremonies, in the database so that any
 *   gateway process can finish what another began; single use (`used_at`), bound to the session, 5 minutes.
 * - `tenant_memberships.webauthn_user_id`: the opaque WebAuthn user handle of the pair, made on first use and
 *   kept (a reset or a new passkey does not change it).
 * - `authenticators.totp_enabled`: the pair's row now holds its 2FA state for every factor; TOTP is one of them.
 *   Every ENABLED row so far was enabled by TOTP.
 */
export class Passkeys1795750000000 implements MigrationInterface {
  name = 'Passkeys1795750000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'passkeys',
        columns: [
          id(),
          ref('tenant_id'),
          ref('agent_id'),
          text('credential_id', 512),
          { name: 'public_key', type: 'text' },
          { name: 'counter', type: 'bigint', default: 0 },
          text('transports', 255),
          { name: 'backed_up', type: 'boolean', default: 0 },
          text('device_type', 16),
          text('name', 64),
          instant('created_at'),
          instant('last_used_at', true),
        ],
        uniques: [{ name: 'uq_passkeys_credential_id', columnNames: ['credential_id'] }],
        indices: [{ name: 'ix_passkeys_tenant_agent', columnNames: ['tenant_id', 'agent_id'] }],
        foreignKeys: [fk('passkeys', 'tenant_id', 'tenants'), fk('passkeys', 'agent_id', 'agents')],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'webauthn_challenges',
        columns: [
          id(),
          ref('session_id'),
          ref('tenant_id'),
          ref('agent_id'),
          text('purpose', 16),
          ref('challenge_id', true),
          text('challenge', 128),
          instant('expires_at'),
          instant('used_at', true),
          instant('created_at'),
        ],
        uniques: [{ name: 'uq_webauthn_challenges_challenge', columnNames: ['challenge'] }],
        indices: [{ name: 'ix_webauthn_challenges_session', columnNames: ['session_id'] }],
      }),
    );
    // Plain ALTER TABLE, the same text on both databases: TypeORM's addColumn rebuilds a SQLite table, and its
    // revert trips the foreign keys that point at it.
    await queryRunner.query('ALTER TABLE tenant_memberships ADD COLUMN webauthn_user_id varchar(64) NULL');
    await queryRunner.query('ALTER TABLE authenticators ADD COLUMN totp_enabled boolean NOT NULL DEFAULT 0');
    await queryRunner.query("UPDATE authenticators SET totp_enabled = 1 WHERE state = 'ENABLED'");
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE authenticators DROP COLUMN totp_enabled');
    await queryRunner.query('ALTER TABLE tenant_memberships DROP COLUMN webauthn_user_id');
    await queryRunner.dropTable('webauthn_challenges');
    await queryRunner.dropTable('passkeys');
  }
}
