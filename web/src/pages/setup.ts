import { MyFactorsDocument } from '../../../src/client/generated/graphql';
import { passkeysCard } from '../components/passkeys-card';
import { call, GatewayError } from '../api';
import { twoFactorCard } from '../components/two-factor-card';
import { append, h } from '../dom';
import { pageHeading, setTitle } from '../layout';
import { REQUIRED_BY_ORGANISATION } from '../messages';
import { localPath } from '../nav';
import { signOut, tenantById, workspaceById } from '../state';
import type { PageContext } from './page';

/**
 * Where TWO_FACTOR_SETUP_REQUIRED leads: enrol in the tenant, save the codes, then carry on to what asked
 * (`then`: a workspace or the admin console). Leaving is always possible.
 */
export async function setupPage(ctx: PageContext): Promise<void> {
  const tenantId = ctx.params[0];
  const then = localPath(ctx.query.get('then')) ?? '/';
  const tenant = tenantById(tenantId);
  if (!tenant) {
    append(ctx.main, [pageHeading('Set up two-factor authentication'), h('p', { role: 'alert' }, 'That tenant was not found, or you are not a member of it.'), h('p', null, h('a', { href: '/' }, 'Back to workspaces'))]);
    return;
  }
  const workspaceId = /^\/workspaces\/([^/?#]+)/.exec(then)?.[1];
  const workspace = workspaceId ? workspaceById(workspaceId)?.workspace : undefined;
  const destination = workspace?.name ?? (then.startsWith('/admin') ? `the admin console of ${tenant.name}` : tenant.name);
  const { me } = await call(MyFactorsDocument, { tenantId });
  if (!me) throw new GatewayError('UNAUTHENTICATED', 'Signed out.');
  setTitle('Set up two-factor authentication', tenant.name);

  const requiredNotice = h(
    'div',
    { class: 'notice notice-warning' },
    h('p', null, h('strong', null, REQUIRED_BY_ORGANISATION)),
    h('p', null, workspace ? `${workspace.name} in ${tenant.name} requires a second factor: an authenticator app or a passkey.` : `${tenant.name} requires a second factor: an authenticator app or a passkey.`),
  );
  append(ctx.main, [
    h(
      'div',
      { class: 'narrow narrow-wide' },
      pageHeading('Set up two-factor authentication', tenant.name),
      requiredNotice,
      passkeysCard({
        tenant,
        status: me.twoFactor,
        continueTo: { href: then, label: `Continue to ${destination}` },
        returnTo: `/setup/${tenantId}?${new URLSearchParams({ then })}`,
      }),
      h('p', { class: 'passkey-choice' }, 'Or use an authenticator app:'),
      twoFactorCard({
        tenant,
        status: me.twoFactor,
        startEnrolment: true,
        continueTo: { href: then, label: `Continue to ${destination}` },
        returnTo: `/setup/${tenantId}?${new URLSearchParams({ then })}`,
        // Set up: the requirement is met, so its warning goes (the card says what happened).
        onEnabled: () => requiredNotice.remove(),
      }),
      h('p', { class: 'leave' }, h('button', { type: 'button', class: 'button button-quiet', onclick: () => void signOut('Signed out. Sign in as a different user.') }, 'Sign in as a different user')),
    ),
  ]);
  const card = ctx.main.querySelector<HTMLElement>('.two-factor-card');
  ctx.focusTarget = card?.querySelector('input') ?? card?.querySelector('button');
}
