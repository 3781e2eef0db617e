import type { EntityManager } from 'typeorm';
import type { MemberSearchGramEntity } from '../db/entities';

/**
 * The agent search: a case-insensitive substring of the email or the name. Each membership keeps its agent's
 * email and name lower-cased by JavaScript's toLowerCase like the term, one line each (`search_text`; agents
 * never change either), so both databases run the same SQL: one LIKE on that column with the term's wildcards
 * escaped, and no per-row folding. A term has no control characters (IsSearchTerm), so no match spans the line
 * break between email and name. The column compares byte for byte on both databases (binary collation on
 * MariaDB), so accents count on both.
 *
 * A substring cannot seek a B-tree, so each membership also keeps the distinct 3-character pieces (grams, in
 * code points) of each line of its search_text in `member_search_grams`, keyed (tenant, gram, membership): a
 * portable trigram index, as pg_trgm is on PostgreSQL, in a plain table so one SQL serves both databases. Every
 * gram of a match is a gram of the member, so a term of 3 characters or more finds its matches among the
 * posting list of any one of its grams; the LIKE above then keeps exactly the matches a scan would.
 * - Which list: the term's rarest gram, chosen inside the statement itself (so a page keeps its statement count)
 *   from the postings counted per tenant and gram in `member_search_gram_counts`, one key read per probed gram
 *   (probedGrams): "agent 12" over 100,000 "bench agent N" walks the 1,111 postings of " 12" rather than all the
 *   members. The counters are kept with the grams (indexMembership, unindexMembership); they only steer the
 *   choice, since any gram of the term finds every match.
 * - A posting list is in membership order, the listing's keyset, so a page walks it from the cursor and stops
 *   when full, whatever the list's length.
 * - The count walks the list the page chose, unless it holds LONG_POSTING_LIST postings or more (a term whose
 *   every gram most members hold): then it walks the tenant's search index instead (isLongPostingList).
 * - Terms of 1 or 2 characters have no gram: page and count walk the tenant's members, the count through
 *   ix_tenant_memberships_tenant_search (which holds the column, so without reading the members' rows).
 */
export const SEARCH_ESCAPE = '!';

export const SEARCH_MATCH = `m.search_text LIKE :pattern ESCAPE '${SEARCH_ESCAPE}'`;

/** Characters per gram, and so the shortest term the gram index serves. */
export const GRAM_LENGTH = 3;

/** Grams of a term whose counters are read: enough to find a rare one, few enough to keep the statement short. */
const PROBED_GRAMS = 8;

/** The length past which a posting list is not worth counting through (see isLongPostingList). */
const LONG_POSTING_LIST = 2000;

/** Gram rows per INSERT: 3 values each, far below SQLite's 32766 bound variables and MariaDB's packet limit. */
const GRAM_ROWS_PER_INSERT = 1000;

/**
 * `%term%` with LIKE's wildcards taken literally. The escape character is `!` rather than a backslash, which
 * MariaDB's string literals would swallow and SQLite's would not.
 */
export function containsPattern(term: string): string {
  const literal = term.toLowerCase().replace(/[!%_]/g, (c) => SEARCH_ESCAPE + c);
  return `%${literal}%`;
}

/** A membership's copy of its agent's email and name, lower-cased the way the term is (see the migration MemberCountsAndSearch). */
export function memberSearchText(agent: { email: string; name: string }): { searchText: string } {
  return { searchText: `${agent.email}\n${agent.name}`.toLowerCase() };
}

/** The distinct grams of each line of a lower-cased text, in code points (not UTF-16 units). */
export function gramsOf(text: string): string[] {
  const grams = new Set<string>();
  for (const line of text.split('\n')) {
    const chars = Array.from(line);
    for (let start = 0; start + GRAM_LENGTH <= chars.length; start++) grams.add(chars.slice(start, start + GRAM_LENGTH).join(''));
  }
  return [...grams];
}

/** A membership's rows of the gram index, from its stored search_text (never lower-cased again). */
export function memberSearchGrams(membership: { id: string; tenantId: string; searchText: string }): MemberSearchGramEntity[] {
  return gramsOf(membership.searchText).map((gram) => ({ tenantId: membership.tenantId, gram, membershipId: membership.id }));
}

/**
 * The gram rows of memberships written in this transaction, or in the migration that fills the table (hence
 * TypeORM's own query, which both share, and no import of the gateway's database layer).
 */
export async function insertMemberSearchGrams(tx: EntityManager, memberships: Array<{ id: string; tenantId: string; searchText: string }>): Promise<void> {
  const rows = memberships.flatMap(memberSearchGrams);
  for (let start = 0; start < rows.length; start += GRAM_ROWS_PER_INSERT) {
    const chunk = rows.slice(start, start + GRAM_ROWS_PER_INSERT);
    await tx.query(
      `INSERT INTO member_search_grams (tenant_id, gram, membership_id) VALUES ${chunk.map(() => '(?, ?, ?)').join(', ')}`,
      chunk.flatMap((row) => [row.tenantId, row.gram, row.membershipId]),
    );
  }
}

/**
 * A membership written in this transaction enters the gram index: its grams, then their counters. Lock order on
 * MariaDB: the caller's membership rows and member counters first (src/tenancy/memberships.ts), then the gram
 * counters in index order, so two writers in one tenant wait for each other and never deadlock.
 */
export async function indexMembership(tx: EntityManager, membership: { id: string; tenantId: string; searchText: string }): Promise<void> {
  await insertMemberSearchGrams(tx, [membership]);
  const grams = inIndexOrder(gramsOf(membership.searchText));
  const rows = grams.map(() => '(?, ?, 1)').join(', ');
  const onKnownGram = isSqlite(tx) ? 'ON CONFLICT (tenant_id, gram) DO UPDATE SET postings = postings + 1' : 'ON DUPLICATE KEY UPDATE postings = postings + 1';
  if (grams.length) await tx.query(`INSERT INTO member_search_gram_counts (tenant_id, gram, postings) VALUES ${rows} ${onKnownGram}`, grams.flatMap((gram) => [membership.tenantId, gram]));
}

/**
 * A membership deleted in this transaction leaves the gram index: its grams, each found by its key (the tenant's
 * whole index otherwise: membership_id is the key's last column), then their counters. A counter at zero stays.
 */
export async function unindexMembership(tx: EntityManager, membership: { id: string; tenantId: string; searchText: string }): Promise<void> {
  const grams = inIndexOrder(gramsOf(membership.searchText));
  if (!grams.length) return;
  const list = grams.map(() => '?').join(', ');
  await tx.query(`DELETE FROM member_search_grams WHERE tenant_id = ? AND gram IN (${list}) AND membership_id = ?`, [membership.tenantId, ...grams, membership.id]);
  await tx.query(`UPDATE member_search_gram_counts SET postings = postings - 1 WHERE tenant_id = ? AND gram IN (${list})`, [membership.tenantId, ...grams]);
}

/** A tenant's gram counters counted again from its gram rows: for rows written in bulk, past indexMembership. */
export async function recountGramPostings(tx: EntityManager, tenantId: string): Promise<void> {
  await tx.query('DELETE FROM member_search_gram_counts WHERE tenant_id = ?', [tenantId]);
  await tx.query(
    'INSERT INTO member_search_gram_counts (tenant_id, gram, postings) SELECT tenant_id, gram, COUNT(*) FROM member_search_grams WHERE tenant_id = ? GROUP BY tenant_id, gram',
    [tenantId],
  );
}

/** The grams in the order of the index (utf8mb4_bin on MariaDB, memcmp on SQLite: UTF-8 bytes, so code points). */
function inIndexOrder(grams: string[]): string[] {
  return grams.sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
}

function isSqlite(tx: EntityManager): boolean {
  return tx.connection.options.type === 'better-sqlite3';
}

/**
 * Where a search reads its candidates: the posting list of the term's rarest gram (chosen in the statement), of
 * a gram already chosen, or the tenant's search index (every member).
 */
export type SearchSource = { kind: 'rarest'; grams: string[] } | { kind: 'postings'; gram: string } | { kind: 'members' };

/** A page's source: the rarest gram's postings, or the tenant's members for a term too short for a gram. */
export function pageSource(term: string | null | undefined): SearchSource {
  const grams = term ? probedGrams(term) : [];
  return grams.length ? { kind: 'rarest', grams } : { kind: 'members' };
}

/**
 * The count after a page reads the posting list the page chose (its rows name the gram); a page that came back
 * empty (a cursor past the end) names none, and the count chooses again.
 */
export function countSource(page: SearchSource, firstRow: Record<string, unknown> | undefined): SearchSource {
  return page.kind === 'rarest' && firstRow ? { kind: 'postings', gram: String(firstRow.posting_gram) } : page;
}

/**
 * The grams of a term whose postings the search probes: every third one and the last, so that each character of
 * the term lies in a probed gram (a rare character makes its grams rare) at a third of the cost of probing them
 * all; at most PROBED_GRAMS of those, spread over the term.
 */
function probedGrams(term: string): string[] {
  const chars = Array.from(term.toLowerCase());
  if (chars.length < GRAM_LENGTH) return [];
  const last = chars.length - GRAM_LENGTH;
  const starts = [...new Set([...Array.from({ length: Math.ceil(last / GRAM_LENGTH) }, (_, i) => i * GRAM_LENGTH), last])];
  const spread = starts.length <= PROBED_GRAMS ? starts : Array.from({ length: PROBED_GRAMS }, (_, i) => starts[Math.round((i * (starts.length - 1)) / (PROBED_GRAMS - 1))]);
  return [...new Set(spread.map((start) => chars.slice(start, start + GRAM_LENGTH).join('')))];
}

/** The postings of a gram in the tenant (`:tenantId`), from its counter: an SQL expression. */
function countedPostings(gram: string): string {
  return `COALESCE((SELECT n.postings FROM member_search_gram_counts n WHERE n.tenant_id = :tenantId AND n.gram = ${gram}), 0)`;
}

/**
 * The gram a search's posting list is read from, and its postings: SQL expressions (the same on both databases)
 * with their parameters. For the rarest gram of `grams`, the fewest postings win, ties going to the earlier gram
 * in the term. Both planners take the gram as a constant and seek its posting list in keyset order.
 */
export function postingList(source: Exclude<SearchSource, { kind: 'members' }>): { gram: string; postings: string; parameters: Record<string, string> } {
  if (source.kind === 'postings') return { gram: ':gram', postings: countedPostings(':gram'), parameters: { gram: source.gram } };
  const parameters: Record<string, string> = {};
  const counted = source.grams.map((gram, i) => {
    parameters[`gram${i}`] = gram;
    return `SELECT :gram${i} AS gram, ${i} AS place, ${countedPostings(`:gram${i}`)} AS postings`;
  });
  const rarest = (column: string) => `(SELECT c.${column} FROM (${counted.join(' UNION ALL ')}) c ORDER BY c.postings, c.place LIMIT 1)`;
  return { gram: rarest('gram'), postings: rarest('postings'), parameters };
}

/**
 * An SQL condition: whether a count is better off walking the tenant's search index than the posting list. The
 * index walk reads no member row, where each posting costs a member row's look-up (at 100,000 members, a term
 * every member holds answered 5 to 10 times faster so), so past LONG_POSTING_LIST postings the list is not worth it.
 */
export function isLongPostingList(postings: string): string {
  return `${postings} >= ${LONG_POSTING_LIST}`;
}
