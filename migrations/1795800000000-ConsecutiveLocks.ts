import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `authenticators.consecutive_locks`: how many times in a row the pair has been locked since its last right
 * answer. Each lock lasts twice the one before, and the 10th (the 100th failure in a row) closes TOTP until a
 * recovery code, a passkey or an admin reset (src/two-factor/lock-escalation.ts). Every existing pair starts at 0.
 *
 * Plain ALTER TABLE, the same text on SQLite and MySQL/MariaDB (TypeORM's addColumn rebuilds a SQLite table).
 */
export class ConsecutiveLocks1795800000000 implements MigrationInterface {
  name = 'ConsecutiveLocks1795800000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE authenticators ADD COLUMN consecutive_locks integer NOT NULL DEFAULT 0');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE authenticators DROP COLUMN consecutive_locks');
  }
}
