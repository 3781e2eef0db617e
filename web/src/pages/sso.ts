import { call } from '../api';
import { append, h } from '../dom';
import { pageHeading } from '../layout';
import { localPath, navigate } from '../nav';
import { session } from '../session';
import { app, loadHome } from '../state';
import { ConsoleHomeDocument } from '../../../src/client/generated/graphql';
import type { PageContext } from './page';

/** What each refusal of the gateway's /sso/callback means to the person (the reasons of src/sso/sso-sign-in.service.ts). */
const REFUSALS: Record<string, string> = {
  'missing-state': 'The identity provider sent you back without the sign-in it belongs to.',
  'foreign-state': 'This sign-in was started in another browser (or its cookie is gone). Start it again here.',
  'replayed-state': 'This sign-in was already used, or it is unknown. Start it again.',
  'expired-start': 'The sign-in took longer than 10 minutes. Start it again.',
  'provider-error': 'The identity provider did not sign you in (you may have cancelled, or it refused).',
  'no-provider': 'Your organisation no longer signs in through an identity provider here. Sign in with your password.',
  'token-rejected': "The identity provider's answer did not pass the gateway's checks. Nothing was signed in; tell your administrator.",
  'userinfo-rejected': "The identity provider's answer did not pass the gateway's checks. Nothing was signed in; tell your administrator.",
  'discovery-failed': 'The identity provider could not be reached. Try again later.',
  'no-email': 'The identity provider did not say which e-mail address you have.',
  'email-not-verified': 'The identity provider has not verified your e-mail address, so the gateway cannot match it to an account.',
  'outside-domains': "Your e-mail address is not one of the domains your organisation's identity provider serves here.",
  'another-tenants-domain': "Your e-mail address belongs to another organisation's identity provider. Sign in through that one.",
  'unknown-address': 'There is no account for your e-mail address here yet. Ask an administrator to invite you.',
  'not-a-member': 'Your account is not a member of this organisation. Ask an administrator to add you.',
  'linked-to-another-subject': 'Your account is linked to another identity at this provider. Ask an administrator.',
};

/**
 * Where the gateway's /sso/callback sends the browser: signed in (the session is the HttpOnly cookie it set), on
 * to `returnTo`, a path of this console; refused, what happened, with a way back to the sign-in page.
 */
export async function ssoPage(ctx: PageContext): Promise<void> {
  const error = ctx.query.get('error');
  if (!error) {
    // The cookie, not a bearer token (a token this tab held may be another agent's): adopt the session only if
    // the gateway answers for it.
    session.clear();
    const { me } = await call(ConsoleHomeDocument, {}).catch(() => ({ me: null }));
    if (me) {
      session.signedInByCookie();
      app.me = null;
      await loadHome();
      return navigate(localPath(ctx.query.get('returnTo')) ?? '/', { replace: true });
    }
  }
  append(ctx.main, [
    pageHeading('Single sign-on', 'Signing in through your organisation\u2019s identity provider.'),
    h('p', { class: 'notice notice-error', role: 'alert' }, (error && REFUSALS[error]) ?? 'The sign-in did not complete. Start it again.'),
    h('p', null, h('a', { href: '/sign-in' }, 'Back to sign in')),
  ]);
}
