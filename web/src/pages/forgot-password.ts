import { RequestPasswordResetDocument } from '../../../src/client/generated/graphql';
import { call } from '../api';
import { append, busy, field, formError, h, replace } from '../dom';
import { pageHeading } from '../layout';
import { explain } from '../messages';
import type { PageContext } from './page';

/** "Forgot password?": asks for a reset link. The answer is the same whether or not the address has an account. */
export async function forgotPasswordPage(ctx: PageContext): Promise<void> {
  const email = field({ label: 'Email', type: 'email', name: 'email', autocomplete: 'username', spellcheck: false, autocapitalize: 'off' });
  const error = formError();
  const body = h('div', { class: 'card-body' });
  const form = h(
    'form',
    { class: 'stack', novalidate: true },
    email.wrapper,
    error.element,
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'button button-primary' }, 'Send a reset link')),
  );
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    error.clear();
    const address = email.input.value.trim();
    if (!address) return error.show('Enter your email.', email.input);
    try {
      await busy(form, () => call(RequestPasswordResetDocument, { email: address }));
      replace(
        body,
        h('p', { class: 'notice notice-success', role: 'status' }, `If an account has ${address}, a link to choose a new password is on its way. It works once, for 30 minutes.`),
        h('p', null, h('a', { href: '/sign-in' }, 'Back to sign in')),
      );
    } catch (failure) {
      error.show(explain(failure), email.input);
    }
  });
  replace(body, form);
  append(ctx.main, [
    h(
      'div',
      { class: 'narrow' },
      pageHeading('Forgot your password?', 'We send a link to your address. Your second factors stay as they are.'),
      h('div', { class: 'card' }, body),
      h('p', null, h('a', { href: '/sign-in' }, 'Back to sign in')),
    ),
  ]);
  ctx.focusTarget = email.input;
}
