import { append, h, replace } from '../dom';

/** One page of a connection, as the table needs it. */
export interface Page<Node> {
  nodes: Node[];
  endCursor: string | null | undefined;
  hasNextPage: boolean;
}

export interface PagedTable<Node> {
  /** The table's body: the rows of every page loaded so far. */
  body: HTMLTableSectionElement;
  /** "Load more": shown while the gateway says there is a next page. */
  more: HTMLButtonElement;
  /** The first page (replacing the rows) or the next one (appended); the page, or null when none came back. */
  load(next: boolean): Promise<Page<Node> | null>;
}

/**
 * Keyset paging for a table, as the gateway's connections offer it: the first page replaces the rows (or shows
 * `empty()` in one cell across the table), each next page appends after the last cursor.
 */
export function pagedTable<Node>(options: {
  columns: number;
  moreLabel: string;
  /** Called by the "Load more" button: the owner loads the next page through its own error handling. */
  onMore(): void;
  fetch(after: string | null): Promise<Page<Node> | null>;
  row(node: Node): HTMLElement;
  empty(): string;
}): PagedTable<Node> {
  let cursor: string | null = null;
  const body = h('tbody');
  const more = h('button', { type: 'button', class: 'button button-secondary', hidden: true, onclick: () => options.onMore() }, options.moreLabel);

  async function load(next: boolean): Promise<Page<Node> | null> {
    if (!next) cursor = null;
    const page = await options.fetch(cursor);
    if (!page) return null;
    const rows = page.nodes.map((node) => options.row(node));
    if (next) append(body, rows);
    else replace(body, rows.length ? rows : h('tr', null, h('td', { colspan: options.columns, class: 'muted' }, options.empty())));
    cursor = page.endCursor ?? null;
    more.hidden = !page.hasNextPage;
    return page;
  }

  return { body, more, load };
}
