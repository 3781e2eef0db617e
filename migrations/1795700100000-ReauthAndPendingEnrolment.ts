import { MigrationInterface, QueryRunner, Table, TableColumn } from 'typeorm';

/**
 * Re-authentication failures per agent (5 wrong passwords in 15 minutes lock re-authentication), and the
 * pending enrolment's owner session and wrong confirmation codes. Portable Table API, as the first migration.
 */
export class ReauthAndPendingEnrolment1795700100000 implements MigrationInterface {
  name = 'ReauthAndPendingEnrolment1795700100000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'reauth_throttles',
        columns: [
          { name: 'agent_id', type: 'varchar', length: '36', isPrimary: true },
          { name: 'failures', type: 'integer', default: 0 },
          { name: 'window_started_at', type: 'datetime', precision: 3, isNullable: true },
          { name: 'locked_until', type: 'datetime', precision: 3, isNullable: true },
        ],
        foreignKeys: [{ name: 'fk_reauth_throttles_agent_id', columnNames: ['agent_id'], referencedTableName: 'agents', referencedColumnNames: ['id'] }],
      }),
    );
    await queryRunner.addColumns('authenticators', [
      new TableColumn({ name: 'pending_session_id', type: 'varchar', length: '36', isNullable: true }),
      new TableColumn({ name: 'pending_failed_attempts', type: 'integer', default: 0 }),
    ]);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropColumns('authenticators', ['pending_failed_attempts', 'pending_session_id']);
    await queryRunner.dropTable('reauth_throttles');
  }
}
