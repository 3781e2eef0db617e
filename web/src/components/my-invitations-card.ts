import { AcceptInvitationDocument, type InvitationPartsFragment } from '../../../src/client/generated/graphql';
import { call } from '../api';
import { busy, h, time, uid } from '../dom';
import { explain, ROLE_LABELS } from '../messages';
import { navigate } from '../nav';
import { handleSessionEnded, loadHome } from '../state';

/** Invitations waiting for the agent's (verified) address, each with Accept. */
export function myInvitationsCard(invitations: InvitationPartsFragment[]): HTMLElement | null {
  if (!invitations.length) return null;
  const titleId = uid('card-title');
  const error = h('p', { class: 'form-error', role: 'alert' });
  const row = (invitation: InvitationPartsFragment) => {
    const accept = h('button', { type: 'button', class: 'button button-primary button-small', 'aria-label': `Accept the invitation to ${invitation.tenant.name}` }, 'Accept');
    accept.addEventListener('click', async () => {
      error.textContent = '';
      try {
        await busy(accept, () => call(AcceptInvitationDocument, { invitationId: invitation.id }));
        await loadHome();
        navigate('/', { replace: true, flash: { text: `You joined ${invitation.tenant.name} as ${ROLE_LABELS[invitation.role].toLowerCase()}.`, tone: 'success' } });
      } catch (failure) {
        if (handleSessionEnded(failure)) return;
        error.textContent = explain(failure, { NOT_FOUND: 'That invitation is no longer open (revoked, expired or accepted).' });
      }
    });
    return h(
      'li',
      { class: 'row' },
      h(
        'span',
        { class: 'row-main' },
        h('span', { class: 'row-title' }, invitation.tenant.name),
        h('span', { class: 'muted' }, `as ${ROLE_LABELS[invitation.role].toLowerCase()}`, invitation.invitedBy ? `, from ${invitation.invitedBy.name}` : '', ' · until ', time(invitation.expiresAt, false)),
      ),
      accept,
    );
  };
  return h(
    'section',
    { class: 'card', 'aria-labelledby': titleId },
    h('div', { class: 'card-header' }, h('div', null, h('h2', { id: titleId }, 'Invitations'), h('p', { class: 'card-kicker' }, 'Tenants that invited your address.'))),
    h('div', { class: 'card-body' }, h('ul', { class: 'rows', 'aria-label': 'Pending invitations' }, invitations.map(row)), error),
  );
}
