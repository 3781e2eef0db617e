import { MigrationInterface, QueryRunner, TableIndex } from 'typeorm';

/**
 * The start-up check lists the key ids stored values were made with (`SELECT DISTINCT key_id`): over these
 * indices it reads a handful of index entries instead of every row (and rotate-keys finds what to re-key).
 */
export class KeyIdIndexes1795720000000 implements MigrationInterface {
  name = 'KeyIdIndexes1795720000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createIndex('authenticators', new TableIndex({ name: 'ix_authenticators_key_id', columnNames: ['key_id'] }));
    await queryRunner.createIndex('recovery_codes', new TableIndex({ name: 'ix_recovery_codes_key_id', columnNames: ['key_id'] }));
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropIndex('recovery_codes', 'ix_recovery_codes_key_id');
    await queryRunner.dropIndex('authenticators', 'ix_authenticators_key_id');
  }
}
