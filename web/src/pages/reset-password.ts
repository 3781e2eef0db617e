import { ResetPasswordDocument } from '../../../src/client/generated/graphql';
import { call, isGatewayError } from '../api';
import { newPasswordFields } from '../components/new-password';
import { append, busy, formError, h } from '../dom';
import { pageHeading } from '../layout';
import { explain } from '../messages';
import { navigate } from '../nav';
import { session } from '../session';
import { loadHome } from '../state';
import type { PageContext } from './page';

/** The page a reset e-mail's link opens (`?token=…`): a new password, then a fresh session. */
export async function resetPasswordPage(ctx: PageContext): Promise<void> {
  const token = ctx.query.get('token');
  const askAgain = h('p', null, h('a', { href: '/forgot-password' }, 'Ask for a new link'));
  if (!token) {
    append(ctx.main, [h('div', { class: 'narrow' }, pageHeading('Choose a new password'), h('p', { class: 'notice notice-error', role: 'alert' }, 'This page needs the link from your e-mail.'), askAgain)]);
    return;
  }
  const password = newPasswordFields();
  const error = formError();
  const form = h(
    'form',
    { class: 'stack', novalidate: true },
    password.wrappers,
    error.element,
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'button button-primary' }, 'Set the new password')),
  );
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    error.clear();
    const problem = password.problem();
    if (problem) return error.show(problem.text, problem.input);
    try {
      await busy(form, async () => {
        const { resetPassword } = await call(ResetPasswordDocument, { token, newPassword: password.input.value });
        session.signedIn(resetPassword.token);
        await loadHome();
      });
      navigate('/', {
        replace: true,
        flash: { text: 'Your password was reset and every other session signed out. Tenants with two-factor authentication still ask for your second factor.', tone: 'success' },
      });
    } catch (failure) {
      password.clear();
      error.show(explain(failure, { INVALID_TOKEN: 'This link is wrong, used or expired (links work once, for 30 minutes). Ask for a new one.' }), password.input);
      if (isGatewayError(failure, 'INVALID_TOKEN')) form.append(askAgain);
    }
  });
  append(ctx.main, [
    h(
      'div',
      { class: 'narrow' },
      pageHeading('Choose a new password', 'Every session of your account is signed out; you are signed in anew here.'),
      h('div', { class: 'card' }, h('div', { class: 'card-body' }, form)),
    ),
  ]);
  ctx.focusTarget = password.input;
}
