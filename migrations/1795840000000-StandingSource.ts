import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Where each standing came from (`source`: CHALLENGE, REMEMBERED_DEVICE, IDENTITY_PROVIDER, DEVICE_APPROVAL) and
 * when the session was granted it (`granted_at`, from which a tenant's second-factor lifetime counts), beside
 * `passed_at`, when the second factor behind it was answered. Every existing standing was a challenge passed (or
 * an enrolment confirmed) in its own session, so it is a CHALLENGE granted when it was passed.
 *
 * Plain ALTER TABLE, the same text on SQLite and MySQL/MariaDB (TypeORM's addColumn rebuilds a SQLite table).
 * `granted_at` is NOT NULL with the epoch as its default only so that the column can be added to existing rows;
 * the UPDATE then sets each, and the gateway always writes it.
 */
export class StandingSource1795840000000 implements MigrationInterface {
  name = 'StandingSource1795840000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query("ALTER TABLE tenant_standings ADD COLUMN source varchar(24) NOT NULL DEFAULT 'CHALLENGE'");
    await queryRunner.query("ALTER TABLE tenant_standings ADD COLUMN granted_at datetime(3) NOT NULL DEFAULT '1970-01-01 00:00:00.000'");
    await queryRunner.query('UPDATE tenant_standings SET granted_at = passed_at');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE tenant_standings DROP COLUMN granted_at');
    await queryRunner.query('ALTER TABLE tenant_standings DROP COLUMN source');
  }
}
