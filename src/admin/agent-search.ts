/**
 * The agent search: a case-insensitive substring of the email or the name. Each membership keeps its agent's
 * email and name lower-cased (`search_email`, `search_name`; agents never change either), folded by
 * JavaScript's toLowerCase like the term, so both databases run the same SQL: LIKE on those columns with the
 * term's wildcards escaped, and no per-row folding. (MariaDB's LIKE also treats accents as equal under the
 * columns' collation; SQLite's does not.) A substring cannot seek a B-tree: the count walks the tenant's entries
 * of ix_tenant_memberships_tenant_search, which holds both columns, without reading the members' rows.
 */
export const SEARCH_ESCAPE = '!';

/** `:pattern` twice: email, then name. */
export const SEARCH_MATCH = `m.search_email LIKE :pattern ESCAPE '${SEARCH_ESCAPE}' OR m.search_name LIKE :pattern ESCAPE '${SEARCH_ESCAPE}'`;

/**
 * `%term%` with LIKE's wildcards taken literally. The escape character is `!` rather than a backslash, which
 * MariaDB's string literals would swallow and SQLite's would not.
 */
export function containsPattern(term: string): string {
  const literal = term.toLowerCase().replace(/[!%_]/g, (c) => SEARCH_ESCAPE + c);
  return `%${literal}%`;
}

/** A membership's copy of its agent's email and name, lower-cased the way the search term is. */
export function memberSearchColumns(agent: { email: string; name: string }): { searchEmail: string; searchName: string } {
  return { searchEmail: agent.email.toLowerCase(), searchName: agent.name.toLowerCase() };
}
