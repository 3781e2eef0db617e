import { SignInDocument, SignUpModeDocument } from '../../../src/client/generated/graphql';
import { call, isGatewayError } from '../api';
import { ssoOffer } from '../components/sso-offer';
import { append, busy, field, formError, h } from '../dom';
import { pageHeading } from '../layout';
import { explain } from '../messages';
import { localPath, navigate } from '../nav';
import { session } from '../session';
import { loadHome } from '../state';
import type { PageContext } from './page';

export async function signInPage(ctx: PageContext): Promise<void> {
  const email = field({ label: 'Email', type: 'email', name: 'email', autocomplete: 'username', spellcheck: false, autocapitalize: 'off', value: ctx.query.get('email') ?? undefined });
  const password = field({ label: 'Password', type: 'password', name: 'password', autocomplete: 'current-password' });
  const error = formError();
  // "Continue with <tenant> SSO" once the address typed belongs to a domain a tenant's identity provider serves.
  const sso = ssoOffer(email.input, localPath(ctx.query.get('next')) ?? '/');
  const form = h(
    'form',
    { class: 'stack', novalidate: true },
    email.wrapper,
    password.wrapper,
    error.element,
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'button button-primary' }, 'Sign in')),
  );
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    error.clear();
    if (!email.input.value.trim()) return error.show('Enter your email.', email.input);
    if (!password.input.value) return error.show('Enter your password.', password.input);
    try {
      await busy(form, async () => {
        const { signIn } = await call(SignInDocument, { email: email.input.value.trim(), password: password.input.value });
        session.signedIn(signIn.token);
        await loadHome();
      });
      navigate(localPath(ctx.query.get('next')) ?? '/', { replace: true });
    } catch (failure) {
      session.clear();
      password.input.value = '';
      error.show(explain(failure), password.input);
      if (isGatewayError(failure, 'SSO_REQUIRED')) void sso.lookUp();
    }
  });

  // "Create an account" only where anyone may sign up; invitees arrive through their invitation's link.
  const signUpMode = await call(SignUpModeDocument, {}).then(({ signUpMode }) => signUpMode, () => 'CLOSED');
  append(ctx.main, [
    h(
      'div',
      { class: 'narrow' },
      pageHeading('Sign in', 'Sign in to manage two-factor authentication for your tenants and workspaces.'),
      h('div', { class: 'card' }, h('div', { class: 'card-body' }, form, sso.element)),
      h(
        'p',
        { class: 'sign-in-links' },
        h('a', { href: '/forgot-password' }, 'Forgot password?'),
        signUpMode === 'OPEN' ? [' · ', h('a', { href: '/sign-up' }, 'Create an account')] : null,
      ),
    ),
  ]);
  ctx.focusTarget = email.input;
}
