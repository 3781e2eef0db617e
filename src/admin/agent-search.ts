/**
 * The agent search: a case-insensitive substring of the email or the name. Each membership keeps its agent's
 * email and name lower-cased by JavaScript's toLowerCase like the term, one line each (`search_text`; agents
 * never change either), so both databases run the same SQL: one LIKE on that column with the term's wildcards
 * escaped, and no per-row folding. A term has no control characters (IsSearchTerm), so no match spans the line
 * break between email and name. The column compares byte for byte on both databases (binary collation on
 * MariaDB), so accents count on both. A substring cannot seek a B-tree: the count walks the tenant's entries of
 * ix_tenant_memberships_tenant_search, which holds the column, without reading the members' rows.
 */
export const SEARCH_ESCAPE = '!';

export const SEARCH_MATCH = `m.search_text LIKE :pattern ESCAPE '${SEARCH_ESCAPE}'`;

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
