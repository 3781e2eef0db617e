import {
  ResetAgentTwoFactorDocument,
  RevokeAgentSessionsDocument,
  SetTenantTwoFactorDocument,
  SetTenantTwoFactorPolicyDocument,
  SetWorkspaceTwoFactorDocument,
  TenantAgentsDocument,
  TenantDocument,
  type TenantAgentPartsFragment,
  type TenantQuery,
  type TwoFactorPolicy,
} from '../../../src/client/generated/graphql';
import { handleGateError, requireTenantStanding } from '../access';
import { call, isGatewayError } from '../api';
import { confirmDialog } from '../components/confirm-dialog';
import { auditLogSection } from '../components/audit-log-section';
import { issuerSection } from '../components/issuer-section';
import { recoveryCodeVisibilitySection } from '../components/recovery-code-visibility-section';
import { searchBox } from '../components/search-box';
import { append, busy, h, replace, time, uid } from '../dom';
import { badge, pageHeading } from '../layout';
import { explain, POLICY_LABELS, ROLE_LABELS, STATE_BADGES } from '../messages';
import type { Tone } from '../nav';
import { app, handleSessionEnded, isAdmin, loadHome, tenantById } from '../state';
import type { PageContext } from './page';

type AdminTenant = NonNullable<TenantQuery['tenant']>;
type AgentFilter = 'all' | 'enabled' | 'not-enabled';

const PAGE_SIZE = 50;

/** The tenants the agent administers. */
export async function adminIndexPage(ctx: PageContext): Promise<void> {
  await loadHome();
  const tenants = app.tenants.filter(isAdmin);
  append(ctx.main, [
    pageHeading('Admin console', 'Tenant two-factor settings, agents and the audit log, for the tenants you own or administer.'),
    tenants.length === 0
      ? h('p', null, 'You are not an owner or admin of any tenant.')
      : h(
          'ul',
          { class: 'rows card' },
          tenants.map((tenant) =>
            h(
              'li',
              { class: 'row' },
              h('span', { class: 'row-main' }, h('span', { class: 'row-title' }, tenant.name), h('span', { class: 'muted' }, ROLE_LABELS[tenant.viewerRole])),
              h('a', { class: 'button button-secondary', href: `/admin/${tenant.id}`, 'aria-label': `Open the admin console of ${tenant.name}` }, 'Open'),
            ),
          ),
        ),
  ]);
}

/**
 * One tenant's admin console. The session first has to stand in the tenant (enterTenant, through the challenge
 * when the gateway asks); every change is an OWNER/ADMIN operation behind that gate.
 */
export async function adminPage(ctx: PageContext): Promise<void> {
  const tenantId = ctx.params[0];
  const returnTo = `/admin/${tenantId}`;
  const known = tenantById(tenantId);
  if (!known || !isAdmin(known)) {
    append(ctx.main, [
      pageHeading('Admin console'),
      h('p', { class: 'notice notice-error', role: 'alert' }, known ? 'Your role in this tenant does not allow that: the admin console is for owners and admins.' : 'That tenant was not found, or you are not a member of it.'),
      h('p', null, h('a', { href: '/admin' }, 'Back to the admin console')),
    ]);
    return;
  }
  if (!(await requireTenantStanding(tenantId, returnTo))) return;
  const loaded = (await call(TenantDocument, { id: tenantId })).tenant;
  if (!loaded) throw new Error('tenant vanished');
  let tenant: AdminTenant = loaded;

  /** Runs an admin operation; gate refusals go through the challenge/setup and back, other errors to `report`. */
  const act = async (work: () => Promise<void>, report: (text: string, error: unknown) => void): Promise<void> => {
    try {
      await work();
    } catch (failure) {
      if (handleSessionEnded(failure) || (await handleGateError(failure, tenantId, returnTo))) return;
      report(explain(failure), failure);
    }
  };

  const status = h('div', { class: 'page-notice', role: 'status' });
  const say = (text: string, tone: Tone = 'success') => {
    status.className = `page-notice notice-${tone}`;
    replace(status, h('p', null, text));
  };

  // ---- Two-factor settings: the tenant switch, the policy, each workspace's requirement.
  const warning = h('div', { class: 'hierarchy-warning', role: 'alert' });
  const clearWarning = () => {
    warning.className = 'hierarchy-warning';
    warning.replaceChildren();
  };
  const showWarning = (...children: Array<Node | string>) => {
    warning.className = 'hierarchy-warning notice notice-warning';
    replace(warning, children);
  };

  const tenantSwitchId = uid('tenant-2fa');
  const tenantSwitchHint = uid('hint');
  const tenantSwitch = h('input', { type: 'checkbox', role: 'switch', id: tenantSwitchId, class: 'switch', checked: tenant.twoFactorEnabled, 'aria-describedby': tenantSwitchHint });
  tenantSwitch.addEventListener('change', () => {
    const enabled = tenantSwitch.checked;
    clearWarning();
    void act(
      async () => {
        const { setTenantTwoFactor } = await busy(settings, () => call(SetTenantTwoFactorDocument, { tenantId, enabled }));
        tenant = { ...tenant, ...setTenantTwoFactor };
        say(enabled ? `Two-factor authentication is on for ${tenant.name}.` : `Two-factor authentication is off for ${tenant.name}.`);
        void refreshAudit();
      },
      (text, failure) => {
        tenantSwitch.checked = !enabled;
        if (isGatewayError(failure, 'WORKSPACES_STILL_REQUIRE_TWO_FACTOR')) {
          const ids = Array.isArray(failure.extensions.workspaceIds) ? (failure.extensions.workspaceIds as string[]) : [];
          const names = ids.map((id) => tenant.workspaces.find((workspace) => workspace.id === id)?.name ?? 'a workspace you cannot see');
          showWarning(
            h('p', null, h('strong', null, 'Two-factor is still required in these workspaces:')),
            h('ul', { class: 'warning-list' }, names.map((name) => h('li', null, name))),
            h('p', null, 'You must turn off two-factor on all of them before you can turn it off for the tenant.'),
          );
        } else {
          showWarning(h('p', null, text));
        }
      },
    ).finally(() => {
      sync();
      tenantSwitch.focus();
    });
  });

  const policyId = uid('policy');
  const policySelect = h(
    'select',
    { id: policyId, name: 'policy' },
    (Object.keys(POLICY_LABELS) as TwoFactorPolicy[]).map((policy) => h('option', { value: policy }, POLICY_LABELS[policy])),
  );
  policySelect.value = tenant.twoFactorPolicy;
  const policyForm = h(
    'form',
    { class: 'inline-form' },
    h('label', { for: policyId }, 'Policy'),
    policySelect,
    h('button', { type: 'submit', class: 'button button-secondary' }, 'Apply policy'),
  );
  policyForm.addEventListener('submit', (event) => {
    event.preventDefault();
    const policy = policySelect.value as TwoFactorPolicy;
    clearWarning();
    void act(
      async () => {
        const { setTenantTwoFactorPolicy } = await busy(settings, () => call(SetTenantTwoFactorPolicyDocument, { tenantId, policy }));
        tenant = { ...tenant, ...setTenantTwoFactorPolicy };
        say(`Policy set to ${POLICY_LABELS[policy]}.`);
        void refreshAudit();
      },
      (text) => {
        policySelect.value = tenant.twoFactorPolicy;
        showWarning(h('p', null, text));
      },
    ).finally(sync);
  });

  const workspaceSwitches = tenant.workspaces.map((workspace) => {
    const input = h('input', { type: 'checkbox', role: 'switch', class: 'switch', checked: workspace.twoFactorRequired, 'aria-label': `${workspace.name} requires two-factor` });
    input.addEventListener('change', () => {
      const required = input.checked;
      clearWarning();
      void act(
        async () => {
          const { setWorkspaceTwoFactor } = await busy(settings, () => call(SetWorkspaceTwoFactorDocument, { workspaceId: workspace.id, required }));
          tenant = { ...tenant, workspaces: tenant.workspaces.map((candidate) => (candidate.id === workspace.id ? setWorkspaceTwoFactor : candidate)) };
          say(required ? `${workspace.name} now requires two-factor.` : `${workspace.name} no longer requires two-factor.`);
          void refreshAudit();
        },
        (text) => {
          input.checked = !required;
          showWarning(h('p', null, text));
        },
      ).finally(() => {
        sync();
        input.focus();
      });
    });
    return { workspace, input };
  });

  const workspacesHint = h('p', { class: 'hint', id: uid('hint') }, 'Turn on two-factor for the tenant first: a workspace can require it only while its tenant has it on.');
  const policyHint = h('p', { class: 'hint' }, 'Who must set up two-factor before doing anything in this tenant. Needs tenant two-factor on.');

  /** Puts the controls in line with `tenant`: workspace switches and the policy wait for the tenant switch. */
  const sync = () => {
    const off = !tenant.twoFactorEnabled;
    tenantSwitch.checked = tenant.twoFactorEnabled;
    policySelect.value = tenant.twoFactorPolicy;
    policySelect.disabled = off;
    (policyForm.querySelector('button') as HTMLButtonElement).disabled = off;
    for (const { workspace, input } of workspaceSwitches) {
      const current = tenant.workspaces.find((candidate) => candidate.id === workspace.id)!;
      input.checked = current.twoFactorRequired;
      input.disabled = off;
      const requirement = settings.querySelector(`[data-requirement="${CSS.escape(workspace.id)}"]`);
      if (requirement) requirement.textContent = current.twoFactorRequired ? 'Requires two-factor' : 'Two-factor not required';
      if (off) input.setAttribute('aria-describedby', workspacesHint.id);
      else input.removeAttribute('aria-describedby');
    }
    workspacesHint.hidden = !off;
  };

  const settingsTitle = uid('section');
  const settings = h(
    'section',
    { class: 'card', 'aria-labelledby': settingsTitle },
    h('div', { class: 'card-header' }, h('h2', { id: settingsTitle }, 'Two-factor settings')),
    h(
      'div',
      { class: 'card-body stack' },
      h(
        'div',
        { class: 'switch-row' },
        h('div', null, h('label', { for: tenantSwitchId, class: 'row-title' }, `Two-factor authentication for ${tenant.name}`), h('p', { class: 'hint', id: tenantSwitchHint }, 'The master switch. Workspaces can require two-factor only while it is on.')),
        tenantSwitch,
      ),
      warning,
      h('div', null, policyForm, policyHint),
      h('h3', { class: 'settings-subheading' }, 'Workspaces'),
      workspacesHint,
      h(
        'ul',
        { class: 'rows', 'aria-label': 'Workspace requirements' },
        workspaceSwitches.map(({ workspace, input }) =>
          h('li', { class: 'row switch-row' }, h('span', { class: 'row-main' }, h('span', { class: 'row-title' }, workspace.name), h('span', { class: 'muted', 'data-requirement': workspace.id })), input),
        ),
      ),
    ),
  );
  sync();

  // ---- Agents, with the 2FA filter.
  let filter: AgentFilter = 'all';
  let agentsCursor: string | null = null;
  const search = searchBox('Search agents by name or email', () => void loadAgents(false));
  const agentsTitle = uid('section');
  const agentsCount = h('p', { class: 'muted', role: 'status' });
  const agentsBody = h('tbody');
  const agentsMore = h('button', { type: 'button', class: 'button button-secondary', hidden: true, onclick: () => void loadAgents(true) }, 'Load more agents');
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
    const reset = h(
      'button',
      {
        type: 'button',
        class: 'button button-small button-secondary',
        disabled: node.twoFactor.state === 'NOT_CONFIGURED',
        'aria-label': `Reset 2FA for ${agent.name}`,
        onclick: async () => {
          const confirmed = await confirmDialog({
            title: `Reset two-factor for ${agent.name}?`,
            body: `${agent.email} loses their authenticator and recovery codes in ${tenant.name}, and their sessions here lose their verification. They set it up again the next time it is required. Other tenants are not affected.${isMe ? ' This is you.' : ''}`,
            confirmLabel: 'Reset 2FA',
          });
          if (!confirmed) return;
          agentsError.textContent = '';
          await act(
            async () => {
              await call(ResetAgentTwoFactorDocument, { tenantId, agentId: agent.id });
              say(`Two-factor reset for ${agent.email} in ${tenant.name}.`);
              await Promise.all([loadAgents(false), refreshAudit()]);
            },
            (text) => (agentsError.textContent = text),
          );
        },
      },
      'Reset 2FA',
    );
    const revoke = h(
      'button',
      {
        type: 'button',
        class: 'button button-small button-secondary',
        'aria-label': `Revoke sessions of ${agent.name}`,
        onclick: async () => {
          const confirmed = await confirmDialog({
            title: `Revoke the sessions of ${agent.name}?`,
            body: `Every session of ${agent.email} loses its standing in ${tenant.name} and must pass this tenant’s verification again. Other tenants are not affected.${isMe ? ' This is you: this session too.' : ''}`,
            confirmLabel: 'Revoke sessions',
          });
          if (!confirmed) return;
          agentsError.textContent = '';
          await act(
            async () => {
              const { revokeAgentSessions: count } = await call(RevokeAgentSessionsDocument, { tenantId, agentId: agent.id });
              say(count === 0 ? `${agent.email} had no verified sessions in ${tenant.name}.` : `Revoked ${count} ${count === 1 ? 'session' : 'sessions'} of ${agent.email} in ${tenant.name}.`);
              await Promise.all([loadAgents(false), refreshAudit()]);
            },
            (text) => (agentsError.textContent = text),
          );
        },
      },
      'Revoke sessions',
    );
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
      h('td', { class: 'actions-cell' }, reset, revoke),
    );
  };

  async function loadAgents(more: boolean): Promise<void> {
    if (!more) agentsCursor = null;
    agentsError.textContent = '';
    await act(
      async () => {
        const { tenant: result } = await busy(agentsSection, () =>
          call(TenantAgentsDocument, {
            tenantId,
            first: PAGE_SIZE,
            after: agentsCursor,
            filter: { ...(filter === 'all' ? {} : { twoFactorEnabled: filter === 'enabled' }), ...(search.term() ? { search: search.term() } : {}) },
          }),
        );
        if (!result) return;
        const { agents } = result;
        const rows = agents.edges.map((edge) => agentRow(edge.node));
        if (more) append(agentsBody, rows);
        else replace(agentsBody, rows);
        if (agents.edges.length === 0 && !more) replace(agentsBody, h('tr', null, h('td', { colspan: 5, class: 'muted' }, 'No agents match this filter.')));
        agentsCursor = agents.pageInfo.endCursor;
        agentsMore.hidden = !agents.pageInfo.hasNextPage;
        const which = filter === 'enabled' ? ' with two-factor enabled' : filter === 'not-enabled' ? ' without two-factor enabled' : '';
        const matching = search.term() ? ` matching “${search.term()}”` : '';
        agentsCount.textContent = `${agents.totalCount} ${agents.totalCount === 1 ? 'agent' : 'agents'}${which}${matching}.`;
      },
      (text) => (agentsError.textContent = text),
    );
  }

  const agentsSection = h(
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
          agentsBody,
        ),
      ),
      h('div', { class: 'actions' }, agentsMore),
    ),
  );

  // ---- The issuer authenticator apps show.
  const issuer = issuerSection({
    tenantId,
    issuer: tenant.issuer,
    act,
    changed: (value, message) => {
      tenant = { ...tenant, issuer: value };
      say(message);
      void refreshAudit();
    },
  });

  // ---- Whether agents may view their recovery codes again.
  const recoveryCodes = recoveryCodeVisibilitySection({
    tenantId,
    visibility: tenant.recoveryCodeVisibility,
    replenish: tenant.recoveryCodeReplenish,
    act,
    changed: (message) => {
      say(message);
      void refreshAudit();
      void loadHome(); // the profile page offers "Show recovery codes" from the tenant's setting
    },
  });

  // ---- Audit log, newest first, with its filter and CSV export.
  const audit = auditLogSection({ tenantId, tenantName: tenant.name, act: (work, report) => act(work, (text) => report(text)) });
  const refreshAudit = () => audit.refresh();
  const auditSection = audit.element;

  await Promise.all([loadAgents(false), refreshAudit()]);
  append(ctx.main, [pageHeading('Admin console', `${tenant.name} · you are ${ROLE_LABELS[tenant.viewerRole].toLowerCase()}`), status, settings, issuer, recoveryCodes, agentsSection, auditSection]);
}

/** Beside the 2FA badge: how many passkeys the member has in this tenant (from the page's one batched read). */
function passkeyCount(count: number): HTMLElement | null {
  return count ? h('span', { class: 'passkey-count' }, ` · ${count} ${count === 1 ? 'passkey' : 'passkeys'}`) : null;
}
