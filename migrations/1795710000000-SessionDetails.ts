import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Plain `ALTER TABLE … ADD/DROP COLUMN`, which SQLite (3.35+) and MariaDB/MySQL read alike: TypeORM's addColumns
 * rebuilds a SQLite table (a copy of every session), and its rebuild cannot switch foreign keys off inside the
 * transaction a revert runs in.
 */
const COLUMNS: Array<[table: string, column: string, type: string]> = [
  ['sessions', 'client_ip', 'varchar(64)'],
  ['sessions', 'user_agent', 'varchar(256)'],
  ['sessions', 'last_used_at', 'datetime(3)'],
  ['tenant_memberships', 'last_session_id', 'varchar(36)'],
  ['tenant_memberships', 'last_session_at', 'datetime(3)'],
];

/**
 * Sessions record where they were started (client address, user agent) and when they were last used, for the
 * agent's own session list. Memberships record the latest session that entered the tenant, so `lastSignIn` tells
 * a tenant's admins only about sign-ins that came to their tenant. `agents.last_session_id` stays (rows are kept)
 * but is no longer written.
 */
export class SessionDetails1795710000000 implements MigrationInterface {
  name = 'SessionDetails1795710000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    for (const [table, column, type] of COLUMNS) await queryRunner.query(`ALTER TABLE ${table} ADD COLUMN ${column} ${type} NULL`);
    // Sessions known to have entered a tenant before this change: those that passed its second factor there.
    await queryRunner.query(
      `UPDATE tenant_memberships SET last_session_id = (
         SELECT st.session_id FROM tenant_standings st JOIN sessions s ON s.id = st.session_id
          WHERE st.tenant_id = tenant_memberships.tenant_id AND st.agent_id = tenant_memberships.agent_id
          ORDER BY s.created_at DESC LIMIT 1)`,
    );
    // A second statement: MySQL applies SET assignments left to right, SQLite all from the old row.
    await queryRunner.query(
      'UPDATE tenant_memberships SET last_session_at = (SELECT s.created_at FROM sessions s WHERE s.id = tenant_memberships.last_session_id) WHERE last_session_id IS NOT NULL',
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const [table, column] of [...COLUMNS].reverse()) await queryRunner.query(`ALTER TABLE ${table} DROP COLUMN ${column}`);
  }
}
