import { SendVerificationEmailDocument, VerifyEmailDocument } from '../../../src/client/generated/graphql';
import { call } from '../api';
import { append, busy, h, replace } from '../dom';
import { pageHeading } from '../layout';
import { explain } from '../messages';
import { session } from '../session';
import { loadHome } from '../state';
import type { PageContext } from './page';

/** The page a verification e-mail's link opens (`?token=…`): signed in or not, it verifies the address at once. */
export async function verifyEmailPage(ctx: PageContext): Promise<void> {
  const token = ctx.query.get('token');
  const next = session.token ? h('a', { href: '/' }, 'Go to your workspaces') : h('a', { href: '/sign-in' }, 'Sign in');
  const heading = pageHeading('Verify your e-mail address');
  if (!token) {
    append(ctx.main, [h('div', { class: 'narrow' }, heading, h('p', { class: 'notice notice-error', role: 'alert' }, 'This page needs the link from your e-mail.'), h('p', null, next))]);
    return;
  }
  try {
    const { verifyEmail } = await call(VerifyEmailDocument, { token });
    if (session.token) await loadHome();
    append(ctx.main, [h('div', { class: 'narrow' }, heading, h('p', { class: 'notice notice-success', role: 'status' }, `${verifyEmail.email} is verified. Thank you.`), h('p', null, next))]);
  } catch (failure) {
    const status = h('div', null);
    const resend = session.token
      ? h('button', {
          type: 'button',
          class: 'button button-secondary',
          onclick: async (event: Event) => {
            try {
              await busy(event.currentTarget as HTMLElement, () => call(SendVerificationEmailDocument, {}));
              replace(status, h('p', { class: 'notice notice-success', role: 'status' }, 'A new link is on its way.'));
            } catch (error) {
              replace(status, h('p', { class: 'notice notice-error', role: 'alert' }, explain(error)));
            }
          },
        }, 'Send a new link')
      : null;
    append(ctx.main, [
      h(
        'div',
        { class: 'narrow' },
        heading,
        h('p', { class: 'notice notice-error', role: 'alert' }, explain(failure, { INVALID_TOKEN: 'This link is wrong, used or expired (links work once, for 24 hours).' })),
        status,
        h('div', { class: 'actions' }, resend, next),
      ),
    ]);
  }
}
