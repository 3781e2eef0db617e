import { MigrationInterface, QueryRunner } from 'typeorm';
import { normalizeEmail } from '../src/accounts/email-address';
import { insertMemberSearchGrams, memberSearchText } from '../src/admin/agent-search';

/**
 * Addresses compare exactly, in the one spelling normalizeEmail gives (src/accounts/email-address.ts).
 *
 * 1. MariaDB/MySQL: `agents.email` moves from utf8mb4_unicode_ci, under which "víctim@", "vi\u200Bctim@" and
 *    "victim@" are one value, to utf8mb4_bin (the binary collation both servers have; SQLite compares bytes
 *    already). Binary equality is finer than the old one, so the unique index cannot meet a duplicate. It keeps
 *    PAD SPACE (trailing spaces ignored); no address reaches SQL with one (normalizeEmail trims).
 * 2. Both: rows stored before addresses were NFKC-normalised (only lower-cased and trimmed) get the normalised
 *    spelling, so their agents still sign in with the letters they type. Where two rows normalise to one address
 *    (a fullwidth or ligature look-alike beside the plain one; possible on SQLite, which never folded them), the
 *    row already spelt that way keeps it, or else the oldest row takes it; the others keep their stored
 *    spelling, which no sign-in or member look-up can name any more (an operator may rename or remove them).
 *    Rows holding invisible characters (refused at sign-up and sign-in since) are kept as they are, for the same
 *    reason. Each renamed agent's memberships get their search copy (search_text and its grams) anew.
 *
 * Down restores the old collation (which fails if accounts have since been made that it would call
 * duplicates); normalised spellings stay.
 */
export class EmailExactMatch1795810000000 implements MigrationInterface {
  name = 'EmailExactMatch1795810000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    if (queryRunner.connection.driver.options.type !== 'better-sqlite3') {
      await queryRunner.query('ALTER TABLE agents MODIFY email varchar(254) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL');
    }
    const agents = (await queryRunner.query('SELECT id, email, name FROM agents ORDER BY created_at, id')) as Array<{ id: string; email: string; name: string }>;
    const taken = new Set(agents.map((agent) => agent.email));
    for (const agent of agents) {
      const normalized = normalizeEmail(agent.email);
      if (normalized === agent.email || taken.has(normalized)) continue;
      taken.add(normalized);
      await queryRunner.query('UPDATE agents SET email = ? WHERE id = ?', [normalized, agent.id]);
      await refreshSearchCopies(queryRunner, { ...agent, email: normalized });
    }
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    if (queryRunner.connection.driver.options.type !== 'better-sqlite3') {
      await queryRunner.query('ALTER TABLE agents MODIFY email varchar(254) CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci NOT NULL');
    }
  }
}

/** The agent's memberships search by its new spelling (src/admin/agent-search.ts keeps the copy). */
async function refreshSearchCopies(queryRunner: QueryRunner, agent: { id: string; email: string; name: string }): Promise<void> {
  const { searchText } = memberSearchText(agent);
  const memberships = (await queryRunner.query('SELECT id, tenant_id AS tenantId FROM tenant_memberships WHERE agent_id = ?', [agent.id])) as Array<{ id: string; tenantId: string }>;
  for (const membership of memberships) {
    await queryRunner.query('UPDATE tenant_memberships SET search_text = ? WHERE id = ?', [searchText, membership.id]);
    await queryRunner.query('DELETE FROM member_search_grams WHERE tenant_id = ? AND membership_id = ?', [membership.tenantId, membership.id]);
  }
  await insertMemberSearchGrams(queryRunner.manager, memberships.map((membership) => ({ ...membership, searchText })));
}
