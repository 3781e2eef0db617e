import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A counter on the rows that read-decide-write sequences lock (Database.lockRow): taking the lock writes it,
 * so on a Galera cluster, where a row lock holds on one node only, two such sequences on two nodes conflict
 * at certification and one is retried, as they would queue on one server.
 *
 * Plain ALTER TABLE, the same text on SQLite and MySQL/MariaDB: TypeORM's addColumn/dropColumn rebuild a SQLite
 * table, and rebuilding `agents` trips the foreign keys that point at it.
 */
export class RowLockVersion1795730000000 implements MigrationInterface {
  name = 'RowLockVersion1795730000000';

  private readonly tables = ['agents', 'sessions', 'tenants'];

  async up(queryRunner: QueryRunner): Promise<void> {
    for (const table of this.tables) await queryRunner.query(`ALTER TABLE ${table} ADD COLUMN lock_version integer NOT NULL DEFAULT 0`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const table of this.tables) await queryRunner.query(`ALTER TABLE ${table} DROP COLUMN lock_version`);
  }
}
