import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The start-up check lists the key ids stored values were made with (`SELECT DISTINCT key_id`): over these
 * indices it reads a handful of index entries instead of every row (and rotate-keys finds what to re-key).
 * Plain CREATE INDEX reads the same on SQLite and MariaDB, and spares the information_schema reads TypeORM's
 * createIndex makes to load each table first.
 */
export class KeyIdIndexes1795720000000 implements MigrationInterface {
  name = 'KeyIdIndexes1795720000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('CREATE INDEX ix_authenticators_key_id ON authenticators (key_id)');
    await queryRunner.query('CREATE INDEX ix_recovery_codes_key_id ON recovery_codes (key_id)');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropIndex('recovery_codes', 'ix_recovery_codes_key_id');
    await queryRunner.dropIndex('authenticators', 'ix_authenticators_key_id');
  }
}
