import { AuditLogDocument, TenantAgentsDocument, type AuditLogFilter, type AuditLogQuery, type TwoFactorMethod } from '../../../src/client/generated/graphql';
import { call } from '../api';
import { AUDIT_CSV_HEADER, auditCsvLines } from '../audit-csv';
import { busy, h, time, uid } from '../dom';
import { AUDIT_ACTION_NAMES, auditActionLabel } from '../messages';
import { pagedTable } from './paged-table';

type AuditEvent = NonNullable<AuditLogQuery['tenant']>['auditLog']['edges'][number]['node'];

const PAGE_SIZE = 20;
/** The export asks for the most the gateway gives in one page. */
const EXPORT_PAGE_SIZE = 100;
const METHOD_LABELS: Record<TwoFactorMethod, string> = { TOTP: 'Authenticator app', RECOVERY_CODE: 'Recovery code', PASSKEY: 'Passkey' };

export interface AuditLogSection {
  element: HTMLElement;
  /** Shows the newest events again (after the page changed something). */
  refresh(): Promise<void>;
}

/**
 * The audit log of one tenant: newest first, narrowed by action, agent (by email) and time, and exported as
 * CSV. The export asks the gateway for one page after another with the same filter and appends each page to a
 * Blob, so the page holds one page of events at a time; the browser keeps a large Blob out of the page's memory
 * (on disk in Chromium). The download starts once the last page is in.
 */
export function auditLogSection(options: { tenantId: string; tenantName: string; act(work: () => Promise<void>, report: (text: string) => void): Promise<void> }): AuditLogSection {
  const { tenantId } = options;
  let filter: AuditLogFilter = {};

  const title = uid('section');
  const error = h('p', { class: 'form-error', role: 'alert' });
  const progress = h('p', { class: 'muted', role: 'status' });

  const actionId = uid('audit-action');
  const action = h('select', { id: actionId, name: 'action' }, h('option', { value: '' }, 'All actions'), AUDIT_ACTION_NAMES.map((name) => h('option', { value: name }, auditActionLabel(name))));
  const agentId = uid('audit-agent');
  const agent = h('input', { id: agentId, name: 'agent', type: 'email', autocomplete: 'off', placeholder: 'Any agent' });
  const sinceId = uid('audit-since');
  const since = h('input', { id: sinceId, name: 'since', type: 'datetime-local' });
  const beforeId = uid('audit-before');
  const before = h('input', { id: beforeId, name: 'before', type: 'datetime-local' });
  const form = h(
    'form',
    { class: 'filter-form', 'aria-label': 'Filter the audit log' },
    h('div', { class: 'field' }, h('label', { for: actionId }, 'Action'), action),
    h('div', { class: 'field' }, h('label', { for: agentId }, 'Agent email (actor or subject)'), agent),
    h('div', { class: 'field' }, h('label', { for: sinceId }, 'From'), since),
    h('div', { class: 'field' }, h('label', { for: beforeId }, 'Until'), before),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'button button-secondary' }, 'Apply filter'), h('button', { type: 'button', class: 'button button-secondary', onclick: () => void exportCsv() }, 'Export CSV')),
  );
  // "Exported 12 events." speaks of the filter it was made with: gone as soon as the filter changes.
  form.addEventListener('input', () => (progress.textContent = ''));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    progress.textContent = '';
    void options.act(
      async () => {
        error.textContent = '';
        const next = await readFilter();
        if (!next) return;
        filter = next;
        await load(false);
      },
      (text) => (error.textContent = text),
    );
  });

  /** The form as a gateway filter; null (with the reason shown) when the agent email names no member. */
  async function readFilter(): Promise<AuditLogFilter | null> {
    const next: AuditLogFilter = {};
    if (action.value) next.actions = [action.value];
    if (since.value) next.since = new Date(since.value).toISOString();
    if (before.value) next.before = new Date(before.value).toISOString();
    const email = agent.value.trim().toLowerCase();
    if (email) {
      const { tenant } = await call(TenantAgentsDocument, { tenantId, first: 10, filter: { search: email } });
      const member = tenant?.agents.edges.find((edge) => edge.node.agent.email === email);
      if (!member) {
        error.textContent = `No member of ${options.tenantName} has the email ${email}.`;
        return null;
      }
      next.agentId = member.node.agent.id;
    }
    return next;
  }

  const row = (event: AuditEvent) =>
    h(
      'tr',
      null,
      h('td', { class: 'nowrap' }, time(event.at)),
      h('td', null, auditActionLabel(event.action), event.method ? h('span', { class: 'muted' }, ` · ${METHOD_LABELS[event.method] ?? event.method}`) : null),
      h('td', null, event.actor?.email ?? h('span', { class: 'muted' }, '—')),
      h('td', null, event.subject?.email ?? h('span', { class: 'muted' }, '—')),
      h('td', null, event.workspace?.name ?? h('span', { class: 'muted' }, '—')),
      h('td', { class: 'nowrap' }, event.clientIp ?? h('span', { class: 'muted' }, '—')),
    );

  const table = pagedTable<AuditEvent>({
    columns: 6,
    moreLabel: 'Load older events',
    onMore: () => void load(true),
    fetch: async (after) => {
      const { tenant } = await call(AuditLogDocument, { tenantId, first: PAGE_SIZE, after, filter });
      return tenant && { nodes: tenant.auditLog.edges.map((edge) => edge.node), ...tenant.auditLog.pageInfo };
    },
    row,
    empty: () => (Object.keys(filter).length > 0 ? 'No events match this filter.' : 'Nothing recorded yet.'),
  });

  async function load(next: boolean): Promise<void> {
    error.textContent = '';
    await options.act(
      async () => void (await table.load(next)),
      (text) => (error.textContent = text),
    );
  }

  async function exportCsv(): Promise<void> {
    await options.act(
      async () => {
        error.textContent = '';
        const exported = await readFilter();
        if (!exported) return;
        await busy(form, async () => {
          let csv = new Blob([AUDIT_CSV_HEADER], { type: 'text/csv;charset=utf-8' });
          let after: string | null = null;
          let count = 0;
          for (;;) {
            const { tenant }: AuditLogQuery = await call(AuditLogDocument, { tenantId, first: EXPORT_PAGE_SIZE, after, filter: exported });
            if (!tenant) return;
            const page = tenant.auditLog.edges.map((edge) => edge.node);
            csv = new Blob([csv, auditCsvLines(page)], { type: csv.type });
            count += page.length;
            progress.textContent = `Exporting… ${count} ${count === 1 ? 'event' : 'events'}`;
            if (!tenant.auditLog.pageInfo.hasNextPage) break;
            after = tenant.auditLog.pageInfo.endCursor;
          }
          download(csv, `audit-log-${tenantId}-${new Date().toISOString().slice(0, 19).replace(/:/g, '')}.csv`);
          progress.textContent = `Exported ${count} ${count === 1 ? 'event' : 'events'}.`;
        });
      },
      (text) => (error.textContent = text),
    );
  }

  const element = h(
    'section',
    { class: 'card', 'aria-labelledby': title },
    h('div', { class: 'card-header' }, h('h2', { id: title }, 'Audit log')),
    h(
      'div',
      { class: 'card-body' },
      form,
      progress,
      error,
      h(
        'div',
        { class: 'table-wrap' },
        h('table', { 'aria-labelledby': title }, h('thead', null, h('tr', null, ['When', 'Action', 'By', 'Agent', 'Workspace', 'Client IP'].map((label) => h('th', { scope: 'col' }, label)))), table.body),
      ),
      h('div', { class: 'actions' }, table.more),
    ),
  );
  return { element, refresh: () => load(false) };
}

function download(blob: Blob, filename: string): void {
  const url = URL.createObjectURL(blob);
  const link = h('a', { href: url, download: filename, hidden: true });
  document.body.appendChild(link);
  link.click();
  link.remove();
  // The click has handed the Blob to the download; the URL is not needed after this turn.
  setTimeout(() => URL.revokeObjectURL(url), 0);
}
