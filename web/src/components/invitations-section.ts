import {
  InviteTenantMemberDocument,
  RevokeInvitationDocument,
  TenantInvitationsDocument,
  type InvitationPartsFragment,
  type TenantRole,
} from '../../../src/client/generated/graphql';
import { call } from '../api';
import { busy, field, h, replace, time, uid } from '../dom';
import { ROLE_LABELS } from '../messages';
import type { Tone } from '../nav';
import { confirmDialog } from './confirm-dialog';
import type { AdminAct, AdminTenant } from './two-factor-settings-section';

export interface InvitationsSection {
  element: HTMLElement;
  load(): Promise<void>;
}

/**
 * Invitations: invite an address (with or without an account) with a role, and the pending invitations with
 * Revoke. An ADMIN offers the AGENT role only; an OWNER any role (the gateway enforces the same rank).
 */
export function invitationsSection(options: { tenant: AdminTenant; act: AdminAct; say(text: string, tone?: Tone): void; changed(): void }): InvitationsSection {
  const { tenant, act, say, changed } = options;
  const titleId = uid('section');
  const roles: TenantRole[] = tenant.viewerRole === 'OWNER' ? ['AGENT', 'ADMIN', 'OWNER'] : ['AGENT'];
  const email = field({ label: 'Email address', type: 'email', name: 'invite-email', spellcheck: false, autocapitalize: 'off', hint: 'They get a link valid for 7 days, with or without an account here.' });
  const roleId = uid('role');
  const role = h('select', { id: roleId, name: 'role' }, roles.map((value) => h('option', { value }, ROLE_LABELS[value])));
  const error = h('p', { class: 'form-error', role: 'alert' });
  const form = h(
    'form',
    { class: 'stack', novalidate: true, 'aria-label': 'Invite a member' },
    email.wrapper,
    h('div', { class: 'field' }, h('label', { for: roleId }, 'Role'), role),
    error,
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'button button-primary' }, 'Send invitation')),
  );
  const list = h('div', null);

  const load = async () => {
    const { tenant: loaded } = await call(TenantInvitationsDocument, { tenantId: tenant.id });
    render(loaded?.invitations ?? []);
  };

  const render = (invitations: InvitationPartsFragment[]) => {
    if (!invitations.length) return replace(list, h('p', { class: 'muted' }, 'No invitations are waiting.'));
    replace(
      list,
      h(
        'ul',
        { class: 'rows', 'aria-label': 'Pending invitations' },
        invitations.map((invitation) =>
          h(
            'li',
            { class: 'row' },
            h(
              'span',
              { class: 'row-main' },
              h('span', { class: 'row-title' }, invitation.email),
              h('span', { class: 'muted' }, ROLE_LABELS[invitation.role], invitation.invitedBy ? ` · invited by ${invitation.invitedBy.name}` : '', ' · until ', time(invitation.expiresAt)),
            ),
            roles.includes(invitation.role)
              ? h(
                  'button',
                  {
                    type: 'button',
                    class: 'button button-secondary button-small',
                    'aria-label': `Revoke the invitation of ${invitation.email}`,
                    onclick: async () => {
                      const confirmed = await confirmDialog({ title: 'Revoke this invitation?', body: `The link sent to ${invitation.email} stops working.`, confirmLabel: 'Revoke' });
                      if (!confirmed) return;
                      await act(
                        async () => {
                          await call(RevokeInvitationDocument, { tenantId: tenant.id, invitationId: invitation.id });
                          say(`The invitation of ${invitation.email} is revoked.`);
                          changed();
                          await load();
                        },
                        (text) => say(text, 'error'),
                      );
                    },
                  },
                  'Revoke',
                )
              : null,
          ),
        ),
      ),
    );
  };

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    error.textContent = '';
    const address = email.input.value.trim();
    if (!address) {
      error.textContent = 'Enter the address to invite.';
      email.input.focus();
      return;
    }
    void act(
      async () => {
        const { inviteTenantMember } = await busy(form, () => call(InviteTenantMemberDocument, { tenantId: tenant.id, email: address, role: role.value as TenantRole }));
        email.input.value = '';
        say(`Invited ${inviteTenantMember.email} as ${ROLE_LABELS[inviteTenantMember.role].toLowerCase()}.`);
        changed();
        await load();
      },
      (text) => (error.textContent = text),
    );
  });

  const element = h(
    'section',
    { class: 'card', 'aria-labelledby': titleId },
    h('div', { class: 'card-header' }, h('div', null, h('h2', { id: titleId }, 'Invitations'), h('p', { class: 'card-kicker' }, 'Invite someone by e-mail; they join once they accept.'))),
    h('div', { class: 'card-body stack' }, form, h('h3', { class: 'settings-subheading' }, 'Waiting for an answer'), list),
  );
  return { element, load };
}
