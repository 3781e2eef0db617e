import { MigrationInterface, QueryRunner, TableColumn } from 'typeorm';

/**
 * Recovery codes a tenant lets its agents view again: the tenant's setting (SHOWN_ONCE for every existing
 * tenant, as before) and, beside each code's keyed hash, an encrypted copy in the TOTP secrets' envelope with
 * the id of the key that sealed it (for key rotation). Existing codes have no copy: they stay shown-once.
 */
export class RecoveryCodeVisibility1795740100000 implements MigrationInterface {
  name = 'RecoveryCodeVisibility1795740100000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.addColumns('tenants', [
      new TableColumn({ name: 'recovery_code_visibility', type: 'varchar', length: '16', default: "'SHOWN_ONCE'" }),
      new TableColumn({ name: 'recovery_code_replenish', type: 'boolean', default: 0 }),
    ]);
    await queryRunner.addColumns('recovery_codes', [
      new TableColumn({ name: 'code_ciphertext', type: 'varchar', length: '255', isNullable: true }),
      new TableColumn({ name: 'ciphertext_key_id', type: 'varchar', length: '32', isNullable: true }),
    ]);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropColumn('recovery_codes', 'ciphertext_key_id');
    await queryRunner.dropColumn('recovery_codes', 'code_ciphertext');
    await queryRunner.dropColumn('tenants', 'recovery_code_replenish');
    await queryRunner.dropColumn('tenants', 'recovery_code_visibility');
  }
}
