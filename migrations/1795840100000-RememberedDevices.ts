import { MigrationInterface, QueryRunner, Table, TableColumnOptions } from 'typeorm';

const ref = (name: string): TableColumnOptions => ({ name, type: 'varchar', length: '36' });
const text = (name: string, length: number, isNullable = false): TableColumnOptions => ({ name, type: 'varchar', length: String(length), isNullable });
const instant = (name: string, isNullable = false): TableColumnOptions => ({ name, type: 'datetime', precision: 3, isNullable });
const fk = (column: string, referenced: string) => ({
  name: `fk_remembered_devices_${column}`,
  columnNames: [column],
  referencedTableName: referenced,
  referencedColumnNames: ['id'],
});

/**
 * How long a second factor lasts:
 * - `tenants.remember_device_days` (0 to 90; 0, every existing tenant, turns remembering off) and
 *   `tenants.second_factor_lifetime_seconds` (null, every existing tenant: a pass holds for the session's lifetime).
 * - `remembered_devices`: a device (browser or client) that skips one tenant's challenge for one agent until it
 *   expires. Only the SHA-256 of its 256-bit secret is kept (`secret_hash`, unique); `method` is the factor it was
 *   remembered with, `created_at` that pass; the tenant's current days can only shorten `expires_at`
 *   (src/remembered-devices/device-expiry.ts).
 *
 * The tenant columns by plain ALTER TABLE, the same text on SQLite and MySQL/MariaDB.
 */
export class RememberedDevices1795840100000 implements MigrationInterface {
  name = 'RememberedDevices1795840100000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE tenants ADD COLUMN remember_device_days integer NOT NULL DEFAULT 0');
    await queryRunner.query('ALTER TABLE tenants ADD COLUMN second_factor_lifetime_seconds integer NULL');
    await queryRunner.createTable(
      new Table({
        name: 'remembered_devices',
        columns: [
          { name: 'id', type: 'varchar', length: '36', isPrimary: true },
          ref('tenant_id'),
          ref('agent_id'),
          text('secret_hash', 64),
          text('method', 16),
          instant('created_at'),
          instant('expires_at'),
          instant('last_used_at', true),
          text('client_ip', 64, true),
          text('user_agent', 256, true),
        ],
        uniques: [{ name: 'uq_remembered_devices_secret_hash', columnNames: ['secret_hash'] }],
        indices: [{ name: 'ix_remembered_devices_tenant_agent', columnNames: ['tenant_id', 'agent_id'] }],
        foreignKeys: [fk('tenant_id', 'tenants'), fk('agent_id', 'agents')],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('remembered_devices');
    await queryRunner.query('ALTER TABLE tenants DROP COLUMN second_factor_lifetime_seconds');
    await queryRunner.query('ALTER TABLE tenants DROP COLUMN remember_device_days');
  }
}
