import {
  TenantAgentsDocument,
  type TenantAgentPartsFragment,
  type TenantAgentsQuery,
} from '../../../src/client/generated/graphql';
import { call } from '../api';
import { busy, h, time, uid } from '../dom';
import { badge } from '../layout';
import { ROLE_LABELS, STATE_BADGES } from '../messages';
import type { Tone } from '../nav';
import { app } from '../state';
import { type Page, type PagedTable, pagedTable } from './paged-table';
import { searchBox } from './search-box';
import type { AdminAct, AdminTenant } from './two-factor-settings-section';
import { agentActions } from './agent-actions';

type AgentFilter = 'all' | 'enabled' | 'not-enabled';

const PAGE_SIZE = 50;

export interface AgentsSection {
  element: HTMLElement;
  /** The first page again, under the current filter and search. */
  load(): Promise<void>;
}

/** A tenant's agents, filtered by 2FA and searched by name or email, with reset and revoke on each row. */
export function agentsSection(options: { tenant: AdminTenant; act: AdminAct; say(text: string, tone?: Tone): void; changed(): void }): AgentsSection {
  const { tenant, act, say, changed } = options;
  const tenantId = tenant.id;

  let filter: AgentFilter = 'all';
  const search = searchBox('Search agents by name or email', () => void loadAgents(false));
  const agentsTitle = uid('section');
  const agentsCount = h('p', { class: 'muted', role: 'status' });
  const agentsError = h('p', { class: 'form-error', role: 'alert' });
  const filterName = uid('filter');
  const filterOptions: Array<[AgentFilter, string]> = [
    ['all', 'All'],
    ['enabled', '2FA enabled'],
    ['not-enabled', '2FA not enabled'],
  ];
  const filterFieldset = h(
    'fieldset',
    { class: 'segmented' },
    h('legend', null, 'Show'),
    filterOptions.map(([value, label]) => {
      const id = uid('filter');
      const radio = h('input', { type: 'radio', name: filterName, id, value, checked: value === filter });
      radio.addEventListener('change', () => {
        if (!radio.checked) return;
        filter = value;
        void loadAgents(false);
      });
      return h('span', { class: 'segment' }, radio, h('label', { for: id }, label));
    }),
  );

  const agentRow = (node: TenantAgentPartsFragment): HTMLElement => {
    const { agent } = node;
    const badgeInfo = STATE_BADGES[node.twoFactor.state];
    const isMe = agent.id === app.me?.id;
    const actions = agentActions({
      tenantId,
      tenantName: tenant.name,
      agent,
      isEnrolled: node.twoFactor.state !== 'NOT_CONFIGURED',
      isMe,
      act: async (work) => {
        agentsError.textContent = '';
        await act(work, (text) => (agentsError.textContent = text));
      },
      done: async (message) => {
        say(message);
        changed();
        await loadAgents(false);
      },
    });
    return h(
      'tr',
      { 'data-agent-email': agent.email },
      h(
        'th',
        { scope: 'row' },
        h('a', { class: 'agent-name', href: `/admin/${tenantId}/agents/${agent.id}` }, agent.name, isMe ? h('span', { class: 'muted' }, ' (you)') : null),
        h('span', { class: 'agent-email' }, agent.email),
      ),
      h('td', null, ROLE_LABELS[node.role]),
      h('td', null, badge(badgeInfo.label, badgeInfo.tone), passkeyCount(node.twoFactor.passkeys.length)),
      h(
        'td',
        null,
        node.lastSignIn
          ? [time(node.lastSignIn.at), h('br'), node.lastSignIn.usedTwoFactor ? badge('with 2FA', 'emerald') : badge('without 2FA', 'slate')]
          : h('span', { class: 'muted' }, 'Never'),
      ),
      h('td', { class: 'actions-cell' }, actions),
    );
  };

  const table: PagedTable<TenantAgentPartsFragment> = pagedTable<TenantAgentPartsFragment>({
    columns: 5,
    moreLabel: 'Load more agents',
    onMore: () => void loadAgents(true),
    fetch: async (after): Promise<Page<TenantAgentPartsFragment> | null> => {
      const { tenant: result }: TenantAgentsQuery = await busy(section, () =>
        call(TenantAgentsDocument, {
          tenantId,
          first: PAGE_SIZE,
          after,
          filter: { ...(filter === 'all' ? {} : { twoFactorEnabled: filter === 'enabled' }), ...(search.term() ? { search: search.term() } : {}) },
        }),
      );
      if (!result) return null;
      totalCount = result.agents.totalCount;
      return { nodes: result.agents.edges.map((edge) => edge.node), ...result.agents.pageInfo };
    },
    row: agentRow,
    empty: () => 'No agents match this filter.',
  });
  let totalCount = 0;

  async function loadAgents(more: boolean): Promise<void> {
    agentsError.textContent = '';
    await act(
      async () => {
        if (!(await table.load(more))) return;
        const which = filter === 'enabled' ? ' with two-factor enabled' : filter === 'not-enabled' ? ' without two-factor enabled' : '';
        const matching = search.term() ? ` matching “${search.term()}”` : '';
        agentsCount.textContent = `${totalCount} ${totalCount === 1 ? 'agent' : 'agents'}${which}${matching}.`;
      },
      (text) => (agentsError.textContent = text),
    );
  }

  const section: HTMLElement = h(
    'section',
    { class: 'card', 'aria-labelledby': agentsTitle },
    h('div', { class: 'card-header' }, h('h2', { id: agentsTitle }, 'Agents'), filterFieldset),
    h(
      'div',
      { class: 'card-body' },
      search.element,
      agentsCount,
      agentsError,
      h(
        'div',
        { class: 'table-wrap' },
        h(
          'table',
          { 'aria-labelledby': agentsTitle },
          h('thead', null, h('tr', null, ['Agent', 'Role', 'Two-factor', 'Last sign-in', 'Actions'].map((label) => h('th', { scope: 'col' }, label)))),
          table.body,
        ),
      ),
      h('div', { class: 'actions' }, table.more),
    ),
  );

  return { element: section, load: () => loadAgents(false) };
}

/** Beside the 2FA badge: how many passkeys the member has in this tenant (from the page's one batched read). */
function passkeyCount(count: number): HTMLElement | null {
  return count ? h('span', { class: 'passkey-count' }, ` · ${count} ${count === 1 ? 'passkey' : 'passkeys'}`) : null;
}
