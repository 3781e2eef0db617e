import {
  SetTenantTwoFactorDocument,
  SetTenantTwoFactorPolicyDocument,
  SetWorkspaceTwoFactorDocument,
  type TenantQuery,
  type TwoFactorPolicy,
} from '../../../src/client/generated/graphql';
import { call, isGatewayError } from '../api';
import { busy, h, replace, uid } from '../dom';
import { POLICY_LABELS } from '../messages';
import type { Tone } from '../nav';

export type AdminTenant = NonNullable<TenantQuery['tenant']>;

/** How an admin page runs an operation: gate refusals through the challenge and back, other errors to `report`. */
export type AdminAct = (work: () => Promise<void>, report: (text: string, error: unknown) => void) => Promise<void>;

/**
 * Two-factor settings of one tenant: the tenant switch, the policy, each workspace's requirement. A refused
 * change (the hierarchy rule) is explained beside the controls; `changed` runs after each applied change.
 */
export function twoFactorSettingsSection(options: { tenant: AdminTenant; act: AdminAct; say(text: string, tone?: Tone): void; changed(): void }): HTMLElement {
  const { act, say, changed } = options;
  let tenant = options.tenant;
  const tenantId = tenant.id;

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
        changed();
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
        changed();
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
          changed();
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

  return settings;
}
