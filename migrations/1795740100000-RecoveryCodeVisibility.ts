import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Plain ALTER TABLE, the same text on SQLite and MySQL/MariaDB: TypeORM's addColumns rebuilds a SQLite table, and
 * its revert trips the foreign keys that point at it.
 */
const COLUMNS: Array<[table: string, column: string, definition: string]> = [
  ['tenants', 'recovery_code_visibility', "varchar(16) NOT NULL DEFAULT 'SHOWN_ONCE'"],
  ['tenants', 'recovery_code_replenish', 'boolean NOT NULL DEFAULT 0'],
  ['recovery_codes', 'code_ciphertext', 'varchar(255) NULL'],
  ['recovery_codes', 'ciphertext_key_id', 'varchar(32) NULL'],
];

/**
 * Recovery codes a tenant lets its agents view again: the tenant's setting (SHOWN_ONCE for every existing
 * tenant, as before) and, beside each code's keyed hash, an encrypted copy in the TOTP secrets' envelope with
 * the id of the key that sealed it (for key rotation). Existing codes have no copy: they stay shown-once.
 */
export class RecoveryCodeVisibility1795740100000 implements MigrationInterface {
  name = 'RecoveryCodeVisibility1795740100000';

  async up(queryRunner: QueryRunner): Promise<void> {
    for (const [table, column, definition] of COLUMNS) await queryRunner.query(`ALTER TABLE ${table} ADD COLUMN ${column} ${definition}`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const [table, column] of [...COLUMNS].reverse()) await queryRunner.query(`ALTER TABLE ${table} DROP COLUMN ${column}`);
  }
}
