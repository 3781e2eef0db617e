import { MigrationInterface, QueryRunner, TableColumn, TableIndex } from 'typeorm';

/**
 * Audit events name the second factor involved and the client address of the request, and the log narrows by
 * agent (as actor or as subject): an index for each side, after the tenant. Earlier events keep null in both.
 */
export class AuditMethodClientIp1795740000000 implements MigrationInterface {
  name = 'AuditMethodClientIp1795740000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.addColumns('audit_events', [
      new TableColumn({ name: 'method', type: 'varchar', length: '16', isNullable: true }),
      // An IPv6 address in text is at most 45 characters (with an embedded IPv4 tail).
      new TableColumn({ name: 'client_ip', type: 'varchar', length: '45', isNullable: true }),
    ]);
    await queryRunner.createIndices('audit_events', [
      new TableIndex({ name: 'ix_audit_events_tenant_actor', columnNames: ['tenant_id', 'actor_agent_id', 'id'] }),
      new TableIndex({ name: 'ix_audit_events_tenant_subject', columnNames: ['tenant_id', 'subject_agent_id', 'id'] }),
    ]);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropIndex('audit_events', 'ix_audit_events_tenant_subject');
    await queryRunner.dropIndex('audit_events', 'ix_audit_events_tenant_actor');
    await queryRunner.dropColumn('audit_events', 'client_ip');
    await queryRunner.dropColumn('audit_events', 'method');
  }
}
