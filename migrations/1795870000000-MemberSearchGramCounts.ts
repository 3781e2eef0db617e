import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Per tenant and gram of the admin search's index, how many memberships hold it (src/admin/agent-search.ts): the
 * search chooses its rarest gram by reading these, where it counted each probed gram's postings on every page.
 * Filled here from the gram rows. The gram compares byte for byte as in member_search_grams; WITHOUT ROWID on
 * SQLite, as that table is.
 */
export class MemberSearchGramCounts1795870000000 implements MigrationInterface {
  name = 'MemberSearchGramCounts1795870000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const isSqlite = queryRunner.connection.driver.options.type === 'better-sqlite3';
    await queryRunner.query(
      `CREATE TABLE member_search_gram_counts (
         tenant_id varchar(36) NOT NULL,
         gram varchar(3)${isSqlite ? '' : ' CHARACTER SET utf8mb4 COLLATE utf8mb4_bin'} NOT NULL,
         postings integer NOT NULL,
         PRIMARY KEY (tenant_id, gram)
       )${isSqlite ? ' WITHOUT ROWID' : ''}`,
    );
    await queryRunner.query(
      'INSERT INTO member_search_gram_counts (tenant_id, gram, postings) SELECT tenant_id, gram, COUNT(*) FROM member_search_grams GROUP BY tenant_id, gram',
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE member_search_gram_counts');
  }
}
