/**
 * The agent search: a case-insensitive substring of the email or the name. Both databases run the same SQL:
 * LOWER(...) LIKE with the term lower-cased and its wildcards escaped. MariaDB's LOWER folds every script;
 * SQLite's folds ASCII only, so the SQLite connection replaces it with JavaScript's (see database.ts). A
 * substring cannot use a B-tree index: the scan stays inside one tenant's members (its index on tenant_id).
 */
export const SEARCH_ESCAPE = '!';

/** `:pattern` twice: email, then name. Emails are stored lower-cased already. */
export const SEARCH_MATCH = `ag.email LIKE :pattern ESCAPE '${SEARCH_ESCAPE}' OR LOWER(ag.name) LIKE :pattern ESCAPE '${SEARCH_ESCAPE}'`;

/**
 * `%term%` with LIKE's wildcards taken literally. The escape character is `!` rather than a backslash, which
 * MariaDB's string literals would swallow and SQLite's would not.
 */
export function containsPattern(term: string): string {
  const literal = term.toLowerCase().replace(/[!%_]/g, (c) => SEARCH_ESCAPE + c);
  return `%${literal}%`;
}
