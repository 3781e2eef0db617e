import { MigrationInterface, QueryRunner } from 'typeorm';
import { insertMemberSearchGrams } from '../src/admin/agent-search';

/** Memberships read per batch of the backfill. */
const BATCH = 500;

/**
 * The admin search's gram index (src/admin/agent-search.ts): per tenant and 3-character gram of search_text, the
 * memberships holding it, in membership order (the primary key is the posting list). Filled here from every
 * existing membership's search_text, in batches in membership order. The gram compares byte for byte like
 * search_text (binary collation on MariaDB). On SQLite the table is WITHOUT ROWID, so it is its primary key and
 * nothing more, as an InnoDB table is.
 */
export class MemberSearchGrams1795770000000 implements MigrationInterface {
  name = 'MemberSearchGrams1795770000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const isSqlite = queryRunner.connection.driver.options.type === 'better-sqlite3';
    await queryRunner.query(
      `CREATE TABLE member_search_grams (
         tenant_id varchar(36) NOT NULL,
         gram varchar(3)${isSqlite ? '' : ' CHARACTER SET utf8mb4 COLLATE utf8mb4_bin'} NOT NULL,
         membership_id varchar(36) NOT NULL,
         PRIMARY KEY (tenant_id, gram, membership_id)
       )${isSqlite ? ' WITHOUT ROWID' : ''}`,
    );
    for (let after = ''; ; ) {
      const memberships = (await queryRunner.query(
        `SELECT id, tenant_id AS tenantId, search_text AS searchText FROM tenant_memberships WHERE id > ? ORDER BY id LIMIT ${BATCH}`,
        [after],
      )) as Array<{ id: string; tenantId: string; searchText: string }>;
      if (!memberships.length) break;
      await insertMemberSearchGrams(queryRunner.manager, memberships);
      after = memberships[memberships.length - 1].id;
    }
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE member_search_grams');
  }
}
