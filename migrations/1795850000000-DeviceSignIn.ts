import { MigrationInterface, QueryRunner, Table, TableColumnOptions } from 'typeorm';

const ref = (name: string, isNullable = false): TableColumnOptions => ({ name, type: 'varchar', length: '36', isNullable });
const text = (name: string, length: number, isNullable = false): TableColumnOptions => ({ name, type: 'varchar', length: String(length), isNullable });
const instant = (name: string, isNullable = false): TableColumnOptions => ({ name, type: 'datetime', precision: 3, isNullable });

/**
 * Device sign-in (a terminal signs in through a browser, RFC 8628 style):
 * - `device_sign_ins`: one request, PENDING until a browser session approves or denies it, then APPROVED or
 *   DENIED, and USED once the device has its session. Only the SHA-256 of the device code (256 random bits) and
 *   of the normalised user code are kept, each unique. `tenant_id` is the tenant whose standing the device asked
 *   for, as the device named it (no foreign key: an anonymous request must not learn which ids exist);
 *   `approving_session_id` the browser session whose pass the new session is handed.
 * - `sessions.client_name`: the name a device sign-in gave its session ("tenant-2fa on build-01").
 */
export class DeviceSignIn1795850000000 implements MigrationInterface {
  name = 'DeviceSignIn1795850000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE sessions ADD COLUMN client_name varchar(200) NULL');
    await queryRunner.createTable(
      new Table({
        name: 'device_sign_ins',
        columns: [
          { name: 'id', type: 'varchar', length: '36', isPrimary: true },
          text('device_code_hash', 64),
          text('user_code_hash', 64),
          text('client_name', 200),
          ref('tenant_id', true),
          text('client_ip', 64, true),
          text('user_agent', 256, true),
          text('state', 16),
          instant('created_at'),
          instant('expires_at'),
          instant('last_polled_at', true),
          ref('agent_id', true),
          ref('approving_session_id', true),
          instant('decided_at', true),
          ref('session_id', true),
        ],
        uniques: [
          { name: 'uq_device_sign_ins_device_code_hash', columnNames: ['device_code_hash'] },
          { name: 'uq_device_sign_ins_user_code_hash', columnNames: ['user_code_hash'] },
        ],
        indices: [{ name: 'ix_device_sign_ins_expires_at', columnNames: ['expires_at'] }],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('device_sign_ins');
    await queryRunner.query('ALTER TABLE sessions DROP COLUMN client_name');
  }
}
