import { MigrationInterface, QueryRunner, Table } from 'typeorm';

/**
 * `signing_keys`: the keys that sign access tokens, shared by every gateway process and node. One row per key,
 * its public half as a JWK and its private half sealed with the ENCRYPTION_KEYS envelope (`key_id` names the
 * encryption key, so `rotate-keys` re-seals it and start-up refuses a database whose keys it cannot open).
 * `generation` is unique: of two processes that create the first key, or rotate, at the same moment, exactly one
 * insert wins (on a Galera cluster too, where the unique key is certified). A key is published from `created_at`
 * and signs from `activates_at` (src/tokens/key-timeline.ts).
 */
export class SigningKeys1795830000000 implements MigrationInterface {
  name = 'SigningKeys1795830000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'signing_keys',
        columns: [
          { name: 'id', type: 'varchar', length: '36', isPrimary: true },
          { name: 'generation', type: 'integer' },
          { name: 'algorithm', type: 'varchar', length: '16' },
          { name: 'public_jwk', type: 'text' },
          { name: 'private_key_ciphertext', type: 'text' },
          { name: 'key_id', type: 'varchar', length: '32' },
          { name: 'created_at', type: 'datetime', precision: 3 },
          { name: 'activates_at', type: 'datetime', precision: 3 },
        ],
        uniques: [{ name: 'uq_signing_keys_generation', columnNames: ['generation'] }],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('signing_keys');
  }
}
