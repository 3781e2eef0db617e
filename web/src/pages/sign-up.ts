import { SignUpDocument, SignUpModeDocument } from '../../../src/client/generated/graphql';
import { call } from '../api';
import { newPasswordFields } from '../components/new-password';
import { append, busy, field, formError, h } from '../dom';
import { pageHeading } from '../layout';
import { explain } from '../messages';
import { navigate } from '../nav';
import { session } from '../session';
import { app, loadHome } from '../state';
import type { PageContext } from './page';

/**
 * Create an account, where the gateway's sign-up mode allows it: anyone when OPEN, with an invitation's token
 * (from the invitation link, `?invitation=…`) when INVITATION_ONLY, nobody when CLOSED.
 */
export async function signUpPage(ctx: PageContext): Promise<void> {
  const invitation = ctx.query.get('invitation');
  const { signUpMode } = await call(SignUpModeDocument, {});
  const wrap = (...children: Array<Node | null>) => append(ctx.main, [h('div', { class: 'narrow' }, ...children)]);
  if (signUpMode === 'CLOSED' || (signUpMode === 'INVITATION_ONLY' && !invitation)) {
    wrap(
      pageHeading('Create an account'),
      h(
        'p',
        { class: 'notice notice-info' },
        signUpMode === 'CLOSED' ? 'Accounts on this gateway are made by its administrators.' : 'Accounts on this gateway are made by invitation: open the link in your invitation e-mail.',
      ),
      h('p', null, h('a', { href: '/sign-in' }, 'Back to sign in')),
    );
    return;
  }

  const name = field({ label: 'Your name', name: 'name', autocomplete: 'name', maxlength: 200 });
  const email = field({
    label: 'Email',
    type: 'email',
    name: 'email',
    autocomplete: 'username',
    spellcheck: false,
    autocapitalize: 'off',
    hint: invitation ? 'The address the invitation was sent to.' : 'We send a link to it, to check that it is yours.',
  });
  const password = newPasswordFields('Password');
  const error = formError();
  const form = h(
    'form',
    { class: 'stack', novalidate: true },
    name.wrapper,
    email.wrapper,
    password.wrappers,
    error.element,
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'button button-primary' }, invitation ? 'Create account and join' : 'Create account')),
  );
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    error.clear();
    if (!name.input.value.trim()) return error.show('Enter your name.', name.input);
    if (!email.input.value.trim()) return error.show('Enter your email.', email.input);
    const problem = password.problem();
    if (problem) return error.show(problem.text, problem.input);
    try {
      const address = email.input.value.trim();
      await busy(form, async () => {
        const { signUp } = await call(SignUpDocument, { name: name.input.value.trim(), email: address, password: password.input.value, invitationToken: invitation });
        session.signedIn(signUp.token);
        await loadHome();
      });
      const joined = app.tenants.map((tenant) => tenant.name).join(', ');
      const text = invitation ? `Welcome: you joined ${joined}.` : `Your account is ready. We sent a link to ${address}: follow it to verify your address.`;
      navigate('/', { replace: true, flash: { text, tone: 'success' } });
    } catch (failure) {
      session.clear();
      password.clear();
      error.show(explain(failure, { INVALID_CREDENTIALS: 'That address cannot be used here. If it is yours, sign in (or reset your password).' }), email.input);
    }
  });

  wrap(
    pageHeading('Create an account', invitation ? 'You were invited: create your account with the invited address to join.' : 'One account for every tenant you belong to.'),
    h('div', { class: 'card' }, h('div', { class: 'card-body' }, form)),
    h('p', null, 'Have an account? ', h('a', { href: invitation ? `/sign-in?${new URLSearchParams({ next: `/invitation?${new URLSearchParams({ token: invitation })}` })}` : '/sign-in' }, 'Sign in')),
  );
  ctx.focusTarget = name.input;
}
