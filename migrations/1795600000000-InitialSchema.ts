import { MigrationInterface, QueryRunner, Table, TableColumnOptions } from 'typeorm';

/*
 * Written with TypeORM's portable Table API so the same file runs on SQLite and MySQL/MariaDB: ids are
 * varchar(36) made in code, instants datetime(3) set in code, indices and foreign keys named inside each table.
 */
const id = (): TableColumnOptions => ({ name: 'id', type: 'varchar', length: '36', isPrimary: true });
const ref = (name: string, isNullable = false): TableColumnOptions => ({ name, type: 'varchar', length: '36', isNullable });
const text = (name: string, length: number): TableColumnOptions => ({ name, type: 'varchar', length: String(length) });
const instant = (name: string, isNullable = false): TableColumnOptions => ({ name, type: 'datetime', precision: 3, isNullable });
const flag = (name: string): TableColumnOptions => ({ name, type: 'boolean', default: 0 });
const count = (name: string): TableColumnOptions => ({ name, type: 'integer', default: 0 });
const fk = (table: string, column: string, referenced: string) => ({
  name: `fk_${table}_${column}`,
  columnNames: [column],
  referencedTableName: referenced,
  referencedColumnNames: ['id'],
});

export class InitialSchema1795600000000 implements MigrationInterface {
  name = 'InitialSchema1795600000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const tables = [
      new Table({
        name: 'agents',
        columns: [id(), text('email', 254), text('name', 200), text('password_hash', 255), instant('created_at'), ref('last_session_id', true)],
        uniques: [{ name: 'uq_agents_email', columnNames: ['email'] }],
      }),
      new Table({
        name: 'tenants',
        columns: [
          id(),
          text('name', 200),
          text('issuer', 200),
          flag('two_factor_enabled'),
          text('two_factor_policy', 32),
          text('recovery_code_format', 16),
          instant('created_at'),
        ],
      }),
      new Table({
        name: 'tenant_memberships',
        columns: [id(), ref('tenant_id'), ref('agent_id'), text('role', 16), instant('created_at')],
        uniques: [{ name: 'uq_tenant_memberships_tenant_agent', columnNames: ['tenant_id', 'agent_id'] }],
        indices: [
          // Keyset pagination of a tenant's agents, by (tenant_id, id) with an optional role filter.
          { name: 'ix_tenant_memberships_tenant_id', columnNames: ['tenant_id', 'id'] },
          { name: 'ix_tenant_memberships_tenant_role_id', columnNames: ['tenant_id', 'role', 'id'] },
          { name: 'ix_tenant_memberships_agent', columnNames: ['agent_id'] },
        ],
        foreignKeys: [fk('tenant_memberships', 'tenant_id', 'tenants'), fk('tenant_memberships', 'agent_id', 'agents')],
      }),
      new Table({
        name: 'workspaces',
        columns: [id(), ref('tenant_id'), text('name', 200), flag('two_factor_required'), instant('created_at')],
        indices: [{ name: 'ix_workspaces_tenant', columnNames: ['tenant_id'] }],
        foreignKeys: [fk('workspaces', 'tenant_id', 'tenants')],
      }),
      new Table({
        name: 'workspace_memberships',
        columns: [id(), ref('tenant_id'), ref('workspace_id'), ref('agent_id'), instant('created_at')],
        uniques: [{ name: 'uq_workspace_memberships_workspace_agent', columnNames: ['workspace_id', 'agent_id'] }],
        indices: [{ name: 'ix_workspace_memberships_tenant_agent', columnNames: ['tenant_id', 'agent_id'] }],
        foreignKeys: [
          fk('workspace_memberships', 'tenant_id', 'tenants'),
          fk('workspace_memberships', 'workspace_id', 'workspaces'),
          fk('workspace_memberships', 'agent_id', 'agents'),
        ],
      }),
      new Table({
        name: 'authenticators',
        columns: [
          id(),
          ref('tenant_id'),
          ref('agent_id'),
          text('state', 16),
          text('secret_ciphertext', 512),
          text('key_id', 32),
          instant('pending_expires_at', true),
          instant('confirmed_at', true),
          { name: 'last_used_step', type: 'integer', isNullable: true },
          count('consecutive_failures'),
          instant('locked_until', true),
          instant('created_at'),
        ],
        uniques: [{ name: 'uq_authenticators_tenant_agent', columnNames: ['tenant_id', 'agent_id'] }],
        indices: [{ name: 'ix_authenticators_agent', columnNames: ['agent_id'] }],
        foreignKeys: [fk('authenticators', 'tenant_id', 'tenants'), fk('authenticators', 'agent_id', 'agents')],
      }),
      new Table({
        name: 'recovery_codes',
        columns: [id(), ref('tenant_id'), ref('agent_id'), text('code_hash', 64), text('key_id', 32), instant('used_at', true), instant('created_at')],
        uniques: [{ name: 'uq_recovery_codes_owner_hash', columnNames: ['tenant_id', 'agent_id', 'code_hash'] }],
        foreignKeys: [fk('recovery_codes', 'tenant_id', 'tenants'), fk('recovery_codes', 'agent_id', 'agents')],
      }),
      new Table({
        name: 'sessions',
        columns: [id(), ref('agent_id'), text('token_hash', 64), instant('created_at'), instant('expires_at'), instant('ended_at', true)],
        uniques: [{ name: 'uq_sessions_token_hash', columnNames: ['token_hash'] }],
        indices: [{ name: 'ix_sessions_agent', columnNames: ['agent_id'] }],
        foreignKeys: [fk('sessions', 'agent_id', 'agents')],
      }),
      new Table({
        name: 'tenant_standings',
        columns: [id(), ref('session_id'), ref('tenant_id'), ref('agent_id'), text('method', 16), instant('passed_at'), instant('revoked_at', true)],
        indices: [
          { name: 'ix_tenant_standings_session_tenant', columnNames: ['session_id', 'tenant_id'] },
          { name: 'ix_tenant_standings_tenant_agent', columnNames: ['tenant_id', 'agent_id'] },
        ],
        foreignKeys: [fk('tenant_standings', 'session_id', 'sessions'), fk('tenant_standings', 'tenant_id', 'tenants')],
      }),
      new Table({
        name: 'challenges',
        columns: [
          id(),
          ref('session_id'),
          ref('tenant_id'),
          ref('agent_id'),
          ref('workspace_id', true),
          text('state', 16),
          count('failed_attempts'),
          instant('expires_at'),
          instant('created_at'),
        ],
        indices: [{ name: 'ix_challenges_session_tenant_state', columnNames: ['session_id', 'tenant_id', 'state'] }],
        foreignKeys: [fk('challenges', 'session_id', 'sessions'), fk('challenges', 'tenant_id', 'tenants')],
      }),
      new Table({
        name: 'audit_events',
        columns: [id(), ref('tenant_id'), text('action', 64), ref('actor_agent_id', true), ref('subject_agent_id', true), ref('workspace_id', true), instant('at')],
        indices: [{ name: 'ix_audit_events_tenant_id', columnNames: ['tenant_id', 'id'] }],
        foreignKeys: [fk('audit_events', 'tenant_id', 'tenants')],
      }),
      new Table({
        name: 'rate_limit_buckets',
        columns: [{ name: 'bucket_key', type: 'varchar', length: '191', isPrimary: true }, instant('window_start'), count('hits')],
      }),
    ];
    for (const table of tables) await queryRunner.createTable(table);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    for (const name of [
      'rate_limit_buckets',
      'audit_events',
      'challenges',
      'tenant_standings',
      'sessions',
      'recovery_codes',
      'authenticators',
      'workspace_memberships',
      'workspaces',
      'tenant_memberships',
      'tenants',
      'agents',
    ]) {
      await queryRunner.dropTable(name);
    }
  }
}
