import { MigrationInterface, QueryRunner } from 'typeorm';

const ROLES = ['OWNER', 'ADMIN', 'AGENT'];
/** Between the email and the name: a search term has no control characters, so no match spans both. */
const SEARCH_TEXT_SEPARATOR = '\n';

/**
 * The admin listing without scanning a tenant's members on every page:
 * - `tenant_member_counts`: per (tenant, role), how many members and how many of them have 2FA ENABLED, kept in
 *   the transaction of every change to either (the listing's totalCount). One row per role from the start, so
 *   every later change is a plain UPDATE on both databases. Filled here from the existing rows.
 * - `tenant_memberships.two_factor_enabled`: whether the pair's authenticator is ENABLED, kept with the counters,
 *   so the listing's `twoFactorEnabled` filter seeks an index instead of joining every member's authenticator.
 *   Filled here from the authenticators.
 * - `tenant_memberships.search_text`: the agent's email and name lower-cased, one line each (agents never
 *   change either), so the substring search reads one table's index instead of joining every member's agent
 *   and folding its name per row. Filled here from the agents.
 * Plain SQL, the same text on SQLite and MySQL/MariaDB but for the search column's binary collation.
 */
export class MemberCountsAndSearch1795760000000 implements MigrationInterface {
  name = 'MemberCountsAndSearch1795760000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(
      `CREATE TABLE tenant_member_counts (
         tenant_id varchar(36) NOT NULL,
         role varchar(16) NOT NULL,
         members integer NOT NULL DEFAULT 0,
         two_factor_enabled integer NOT NULL DEFAULT 0,
         PRIMARY KEY (tenant_id, role),
         CONSTRAINT fk_tenant_member_counts_tenant_id FOREIGN KEY (tenant_id) REFERENCES tenants (id)
       )`,
    );
    await queryRunner.query('ALTER TABLE tenant_memberships ADD COLUMN two_factor_enabled boolean NOT NULL DEFAULT 0');
    await queryRunner.query(
      `UPDATE tenant_memberships SET two_factor_enabled = 1
        WHERE EXISTS (SELECT 1 FROM authenticators a WHERE a.tenant_id = tenant_memberships.tenant_id AND a.agent_id = tenant_memberships.agent_id AND a.state = 'ENABLED')`,
    );
    // The filtered listing's keyset: its page seeks to the cursor within the members with (or without) 2FA.
    await queryRunner.query('CREATE INDEX ix_tenant_memberships_tenant_2fa_id ON tenant_memberships (tenant_id, two_factor_enabled, id)');
    for (const role of ROLES) {
      await queryRunner.query(
        `INSERT INTO tenant_member_counts (tenant_id, role, members, two_factor_enabled)
         SELECT t.id, ?,
                (SELECT COUNT(*) FROM tenant_memberships m WHERE m.tenant_id = t.id AND m.role = ?),
                (SELECT COUNT(*) FROM tenant_memberships m WHERE m.tenant_id = t.id AND m.role = ? AND m.two_factor_enabled = 1)
           FROM tenants t`,
        [role, role, role],
      );
    }

    // Lower-cased already, so compared byte for byte: MariaDB's unicode_ci LIKE cost twice as much per member.
    const binary = queryRunner.connection.driver.options.type === 'better-sqlite3' ? '' : ' CHARACTER SET utf8mb4 COLLATE utf8mb4_bin';
    await queryRunner.query(`ALTER TABLE tenant_memberships ADD COLUMN search_text varchar(455)${binary} NOT NULL DEFAULT ''`);
    await queryRunner.query(
      'UPDATE tenant_memberships SET search_text = (SELECT CONCAT(LOWER(ag.email), ?, LOWER(ag.name)) FROM agents ag WHERE ag.id = tenant_memberships.agent_id)',
      [SEARCH_TEXT_SEPARATOR],
    );
    // A search's count walks the tenant's entries of this index alone, never the members' rows (its page reads
    // in keyset order through ix_tenant_memberships_tenant_id and stops at the page's end).
    await queryRunner.query('CREATE INDEX ix_tenant_memberships_tenant_search ON tenant_memberships (tenant_id, search_text)');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropIndex('tenant_memberships', 'ix_tenant_memberships_tenant_search');
    await queryRunner.query('ALTER TABLE tenant_memberships DROP COLUMN search_text');
    await queryRunner.dropIndex('tenant_memberships', 'ix_tenant_memberships_tenant_2fa_id');
    await queryRunner.query('ALTER TABLE tenant_memberships DROP COLUMN two_factor_enabled');
    await queryRunner.query('DROP TABLE tenant_member_counts');
  }
}
