import { AcceptInvitationDocument, SignUpModeDocument } from '../../../src/client/generated/graphql';
import { call, isGatewayError } from '../api';
import { append, busy, h, replace } from '../dom';
import { pageHeading } from '../layout';
import { explain, ROLE_LABELS } from '../messages';
import { navigate } from '../nav';
import { session } from '../session';
import { app, loadHome, signOut } from '../state';
import type { PageContext } from './page';

/**
 * The page an invitation e-mail's link opens (`?token=…`). Signed in: accept it (the account must have the
 * invited address). Not signed in: sign in to accept, or create an account with the invitation.
 */
export async function invitationPage(ctx: PageContext): Promise<void> {
  const token = ctx.query.get('token');
  const here = `/invitation?${new URLSearchParams({ token: token ?? '' })}`;
  const heading = pageHeading('Join a tenant', 'You were invited to work in a tenant of this gateway.');
  const body = h('div', { class: 'card-body' });
  append(ctx.main, [h('div', { class: 'narrow' }, heading, h('div', { class: 'card' }, body))]);
  if (!token) {
    replace(body, h('p', { class: 'notice notice-error', role: 'alert' }, 'This page needs the link from your invitation e-mail.'));
    return;
  }

  if (!session.token || !app.me) {
    const { signUpMode } = await call(SignUpModeDocument, {});
    replace(
      body,
      h('p', null, 'Sign in with the address the invitation was sent to, or create an account with it.'),
      h(
        'div',
        { class: 'actions' },
        h('a', { class: 'button button-primary', href: `/sign-in?${new URLSearchParams({ next: here })}` }, 'Sign in to accept'),
        signUpMode === 'CLOSED' ? null : h('a', { class: 'button button-secondary', href: `/sign-up?${new URLSearchParams({ invitation: token })}` }, 'Create an account'),
      ),
    );
    return;
  }

  const me = app.me;
  const status = h('div', { role: 'status' });
  const accept = h('button', { type: 'submit', class: 'button button-primary' }, 'Accept the invitation');
  const form = h('form', { class: 'stack' }, h('p', null, 'You are signed in as ', h('strong', null, me.email), '. Accepting makes this account a member of the tenant.'), status, h('div', { class: 'actions' }, accept));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    replace(status);
    const before = new Set(app.tenants.map((tenant) => tenant.id));
    try {
      const { acceptInvitation } = await busy(form, () => call(AcceptInvitationDocument, { token }));
      await loadHome();
      const joined = app.tenants.filter((tenant) => !before.has(tenant.id)).map((tenant) => tenant.name).join(', ') || 'the tenant';
      navigate('/', { replace: true, flash: { text: `You joined ${joined} as ${ROLE_LABELS[acceptInvitation.role].toLowerCase()}.`, tone: 'success' } });
    } catch (failure) {
      replace(status, h('p', { class: 'notice notice-error', role: 'alert' }, explain(failure, { INVALID_TOKEN: failure instanceof Error ? failure.message : '' })));
      if (isGatewayError(failure, 'INVALID_TOKEN') && /another address/.test(failure.message)) {
        status.append(h('button', { type: 'button', class: 'button button-secondary', onclick: () => void signOut('Signed out: sign in with the invited address to accept.') }, 'Sign out'));
      }
    }
  });
  replace(body, form);
  ctx.focusTarget = accept;
}
