import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The start-up check now lists the keys of the viewable recovery-code copies too (`SELECT DISTINCT
 * ciphertext_key_id`, src/two-factor/encryption-key-check.ts): an index, as KeyIdIndexes gave the other key id
 * columns, so it reads a handful of index entries rather than every recovery code.
 */
export class CiphertextKeyIdIndex1795810100000 implements MigrationInterface {
  name = 'CiphertextKeyIdIndex1795810100000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('CREATE INDEX ix_recovery_codes_ciphertext_key_id ON recovery_codes (ciphertext_key_id)');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropIndex('recovery_codes', 'ix_recovery_codes_ciphertext_key_id');
  }
}
