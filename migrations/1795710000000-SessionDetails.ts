import { MigrationInterface, QueryRunner, TableColumn } from 'typeorm';

/**
 * Sessions record where they were started (client address, user agent) and when they were last used, for the
 * agent's own session list. Memberships record the latest session that entered the tenant, so `lastSignIn` tells
 * a tenant's admins only about sign-ins that came to their tenant. `agents.last_session_id` stays (rows are kept)
 * but is no longer written.
 */
export class SessionDetails1795710000000 implements MigrationInterface {
  name = 'SessionDetails1795710000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.addColumns('sessions', [
      new TableColumn({ name: 'client_ip', type: 'varchar', length: '64', isNullable: true }),
      new TableColumn({ name: 'user_agent', type: 'varchar', length: '256', isNullable: true }),
      new TableColumn({ name: 'last_used_at', type: 'datetime', precision: 3, isNullable: true }),
    ]);
    await queryRunner.addColumns('tenant_memberships', [
      new TableColumn({ name: 'last_session_id', type: 'varchar', length: '36', isNullable: true }),
      new TableColumn({ name: 'last_session_at', type: 'datetime', precision: 3, isNullable: true }),
    ]);
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
    await queryRunner.dropColumns('tenant_memberships', ['last_session_id', 'last_session_at']);
    await queryRunner.dropColumns('sessions', ['client_ip', 'user_agent', 'last_used_at']);
  }
}
