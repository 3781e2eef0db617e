import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Audit events name the second factor involved and the client address of the request, and the log narrows by
 * agent (as actor or as subject): an index for each side, after the tenant. Earlier events keep null in both.
 *
 * Plain ALTER TABLE and CREATE INDEX, the same text on SQLite and MySQL/MariaDB: TypeORM's addColumns rebuilds a
 * SQLite table (a copy of the whole audit log) and its revert trips the foreign keys; its createIndex first loads
 * the table from information_schema.
 */
export class AuditMethodClientIp1795740000000 implements MigrationInterface {
  name = 'AuditMethodClientIp1795740000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('ALTER TABLE audit_events ADD COLUMN method varchar(16) NULL');
    // An IPv6 address in text is at most 45 characters (with an embedded IPv4 tail).
    await queryRunner.query('ALTER TABLE audit_events ADD COLUMN client_ip varchar(45) NULL');
    await queryRunner.query('CREATE INDEX ix_audit_events_tenant_actor ON audit_events (tenant_id, actor_agent_id, id)');
    await queryRunner.query('CREATE INDEX ix_audit_events_tenant_subject ON audit_events (tenant_id, subject_agent_id, id)');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropIndex('audit_events', 'ix_audit_events_tenant_subject');
    await queryRunner.dropIndex('audit_events', 'ix_audit_events_tenant_actor');
    await queryRunner.query('ALTER TABLE audit_events DROP COLUMN client_ip');
    await queryRunner.query('ALTER TABLE audit_events DROP COLUMN method');
  }
}
